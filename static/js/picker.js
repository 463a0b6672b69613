/* Pickers: find a person or an organisation by typing, choose one by keyboard or mouse.
 *
 * The box is an ARIA combobox (cultivation/pickers.py renders it). htmx fetches
 * the suggestions into its listbox as you type; this file asks with ?q=, opens
 * and closes the list, moves through it (Up, Down, Home, End), picks (Enter or a
 * click) and closes it (Escape, Tab). A pick puts the id in the hidden input (or
 * adds a ticked box, for several) and fires "change" on it, so a form may react.
 * Without JavaScript the box is a plain text field: the form comes back with the
 * matches to choose from.
 */
(function () {
  "use strict";

  function partsOf(picker) {
    return {
      box: picker.querySelector("[data-picker-input]"),
      list: picker.querySelector("[role=listbox]"),
      value: picker.querySelector("[data-picker-value]"),
      chosen: picker.querySelector("[data-picker-chosen]"),
      status: picker.querySelector("[data-picker-status]"),
    };
  }

  function options(list) {
    return Array.from(list.querySelectorAll("[role=option]:not([aria-disabled=true])"));
  }

  function isOpen(picker) {
    return !partsOf(picker).list.hidden;
  }

  function close(picker) {
    const parts = partsOf(picker);
    parts.list.hidden = true;
    parts.box.setAttribute("aria-expanded", "false");
    parts.box.removeAttribute("aria-activedescendant");
  }

  function open(picker) {
    const parts = partsOf(picker);
    if (!parts.list.children.length) return;
    parts.list.hidden = false;
    parts.box.setAttribute("aria-expanded", "true");
  }

  function activate(picker, index) {
    const parts = partsOf(picker);
    const all = options(parts.list);
    if (!all.length) return;
    const active = all[(index + all.length) % all.length];
    all.forEach(function (option) {
      const on = option === active;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.classList.toggle("active", on);
    });
    parts.box.setAttribute("aria-activedescendant", active.id);
    active.scrollIntoView({ block: "nearest" });
  }

  function activeIndex(picker) {
    return options(partsOf(picker).list).findIndex(function (option) {
      return option.getAttribute("aria-selected") === "true";
    });
  }

  function changed(input) {
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function addChosen(picker, option) {
    const parts = partsOf(picker);
    const id = option.dataset.pickId;
    const existing = parts.chosen.querySelector("input[value='" + CSS.escape(id) + "']");
    if (existing) {
      existing.checked = true;
      return existing;
    }
    const item = document.createElement("li");
    item.className = "form-check";
    const tick = document.createElement("input");
    tick.className = "form-check-input";
    tick.type = "checkbox";
    tick.name = picker.dataset.pickerName;
    tick.value = id;
    tick.checked = true;
    tick.id = parts.list.id + "_chosen_" + id;
    const label = document.createElement("label");
    label.className = "form-check-label";
    label.htmlFor = tick.id;
    label.textContent = option.dataset.pickLabel;
    item.append(tick, label);
    parts.chosen.appendChild(item);
    return tick;
  }

  function pick(picker, option) {
    const parts = partsOf(picker);
    // Choices offered without JavaScript are for that case only: the pick replaces them.
    picker.querySelectorAll("[data-picker-found]").forEach(function (found) {
      found.remove();
    });
    let input;
    if (picker.hasAttribute("data-picker-multiple")) {
      input = addChosen(picker, option);
      parts.box.value = "";
      parts.list.replaceChildren(); // the next search starts afresh
      parts.status.textContent = option.dataset.pickLabel + " added.";
    } else {
      input = parts.value;
      input.value = option.dataset.pickId;
      parts.box.value = option.dataset.pickLabel;
      parts.status.textContent = option.dataset.pickLabel + " chosen.";
    }
    close(picker);
    changed(input);
  }

  function onKey(event) {
    const picker = event.target.closest("[data-picker]");
    if (!picker || !event.target.matches("[data-picker-input]")) return;
    const index = activeIndex(picker);
    const count = options(partsOf(picker).list).length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!count) return;
      event.preventDefault();
      open(picker);
      const step = event.key === "ArrowDown" ? 1 : -1;
      activate(picker, index < 0 ? (step > 0 ? 0 : -1) : index + step);
    } else if ((event.key === "Home" || event.key === "End") && isOpen(picker) && count) {
      event.preventDefault();
      activate(picker, event.key === "Home" ? 0 : -1);
    } else if (event.key === "Enter" && isOpen(picker) && index >= 0) {
      event.preventDefault(); // pick, do not send the form
      pick(picker, options(partsOf(picker).list)[index]);
    } else if (event.key === "Escape" && isOpen(picker)) {
      event.preventDefault();
      close(picker);
    } else if (event.key === "Tab") {
      close(picker);
    }
  }

  function onInput(event) {
    if (!event.target.matches("[data-picker-input]")) return;
    const picker = event.target.closest("[data-picker]");
    const value = partsOf(picker).value;
    // What is typed no longer names the person chosen before.
    if (value && value.value) {
      value.value = "";
      changed(value);
    }
    if (!event.target.value.trim()) {
      partsOf(picker).list.replaceChildren();
      close(picker);
    }
  }

  function onClick(event) {
    const option = event.target.closest("[data-picker] [role=option]");
    if (option && option.getAttribute("aria-disabled") !== "true") {
      pick(option.closest("[data-picker]"), option);
    }
  }

  // The server reads ?q=; htmx would send the box under its form name.
  function onConfigRequest(event) {
    const box = event.detail.elt;
    if (!box.matches || !box.matches("[data-picker-input]")) return;
    const parameters = event.detail.parameters;
    delete parameters[box.name];
    parameters.q = box.value;
  }

  function onSwapped(event) {
    const list = event.detail.target;
    if (!list.matches || !list.matches("[data-picker] [role=listbox]")) return;
    const picker = list.closest("[data-picker]");
    const box = partsOf(picker).box;
    Array.from(list.querySelectorAll("[role=option]")).forEach(function (option, n) {
      option.id = list.id + "_" + n;
    });
    const count = options(list).length;
    box.removeAttribute("aria-activedescendant");
    if (list.children.length && document.activeElement === box && box.value.trim()) {
      open(picker);
    } else {
      close(picker);
    }
    partsOf(picker).status.textContent = count
      ? count + (count === 1 ? " match" : " matches") + ": arrow down to choose."
      : list.textContent.trim();
  }

  function onFocusOut(event) {
    const picker = event.target.closest("[data-picker]");
    if (picker && !picker.contains(event.relatedTarget)) close(picker);
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("input", onInput);
  document.addEventListener("focusout", onFocusOut);
  // A press on an option would blur the box (closing the list) before the click lands.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("[data-picker] [role=option]")) event.preventDefault();
  });
  document.addEventListener("click", onClick);
  document.addEventListener("htmx:configRequest", onConfigRequest);
  document.addEventListener("htmx:afterSwap", onSwapped);
})();
