/* The board: drag and drop with SortableJS, moves posted with htmx.
 *
 * A move answers with the message, the card where the server put it and the
 * two column heads (out-of-band swaps). A refused or conflicting move
 * answers with the whole board as the server sees it (HX-Retarget), so the
 * card goes back where it really is. Without JavaScript, each card's
 * "Move to…" form posts the same fields and gets a redirect.
 */
(function () {
  "use strict";

  // Refused (422) and conflicting (409) moves still carry the board to show.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "409", swap: true },
    { code: "422", swap: true },
    { code: "[45]..", swap: false, error: true },
  ];

  function board() {
    return document.getElementById("board");
  }

  function boardQuery() {
    const query = board().dataset.query;
    return query ? "?" + query : "";
  }

  function notice(text, level) {
    const box = document.getElementById("board-notice");
    box.replaceChildren();
    const alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "danger") + " py-2";
    alert.setAttribute("role", "alert");
    alert.textContent = text;
    box.appendChild(alert);
  }

  function refresh() {
    return htmx.ajax("GET", board().dataset.boardUrl + boardQuery(), {
      target: "#board",
      swap: "outerHTML",
    });
  }

  // The refreshed board replaces the notice area, so the sentence goes in after it.
  function refreshThenSay(text, level) {
    return refresh().then(function () {
      notice(text, level);
    });
  }

  function askLostReason(card) {
    const dialog = document.getElementById("lost-dialog");
    const reason = dialog.querySelector("textarea");
    dialog.querySelector("[data-lost-title]").textContent = card.dataset.title;
    reason.value = "";
    return new Promise(function (resolve) {
      dialog.addEventListener(
        "close",
        function () {
          const text = reason.value.trim();
          resolve(dialog.returnValue === "lost" && text ? text : null);
        },
        { once: true }
      );
      dialog.showModal();
      reason.focus();
    });
  }

  function move(card, toStage, after, note) {
    return htmx.ajax("POST", card.dataset.moveUrl + boardQuery(), {
      source: card,
      target: "#board",
      swap: "none",
      values: { to_stage: toStage, version: card.dataset.version, after: after, note: note },
    });
  }

  async function dropped(event) {
    const card = event.item;
    const toStage = event.to.dataset.stage;
    if (event.from === event.to && event.oldIndex === event.newIndex) return;
    const before = card.previousElementSibling;
    const after = before && before.dataset.card ? before.dataset.card : "";
    let note = "";
    if (toStage === "lost" && card.dataset.stage !== "lost") {
      note = await askLostReason(card);
      if (note === null) {
        refreshThenSay("Not moved: a card goes to Lost only with a reason.", "warning");
        return;
      }
    }
    move(card, toStage, after, note);
  }

  function makeSortable(list) {
    if (list.dataset.sortable) return;
    list.dataset.sortable = "on";
    Sortable.create(list, {
      group: "board",
      draggable: ".cv-card",
      filter: "details, summary, select, input, button, textarea",
      preventOnFilter: false,
      animation: 150,
      // Mouse and touch events rather than the browser's native drag and drop:
      // the same behaviour in every browser, and a click on a link stays a click.
      forceFallback: true,
      fallbackTolerance: 4,
      delay: 200,
      delayOnTouchOnly: true,
      ghostClass: "cv-ghost",
      onEnd: dropped,
    });
  }

  htmx.onLoad(function (root) {
    const lists = root.matches && root.matches(".cv-cards") ? [root] : root.querySelectorAll(".cv-cards");
    lists.forEach(makeSortable);
  });

  // "Load more" may bring a card the page already shows (someone dropped it below
  // the last one loaded): keep the first, where the person sees it.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    const list = event.detail.target;
    if (!list.classList || !list.classList.contains("cv-cards")) return;
    const seen = new Set();
    list.querySelectorAll(".cv-card").forEach(function (card) {
      if (seen.has(card.id)) card.remove();
      else seen.add(card.id);
    });
  });

  // After "Move to…" the old card is gone: keep the keyboard on the card, where it is now.
  let focusAfterMove = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt;
    focusAfterMove = form.dataset && form.dataset.moves ? "card-" + form.dataset.moves : null;
  });
  htmx.onLoad(function (root) {
    if (!focusAfterMove || !root.querySelector) return;
    const card = root.id === focusAfterMove ? root : root.querySelector("#" + focusAfterMove);
    if (card) {
      focusAfterMove = null;
      card.querySelector(".cv-card-title").focus();
    }
  });

  // At phone width the stage tabs (plain anchors) say which column is on screen.
  const tabs = document.querySelectorAll(".cv-stage-tabs [data-stage]");
  const showing = new IntersectionObserver(
    function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        tabs.forEach(function (tab) {
          const isCurrent = tab.dataset.stage === entry.target.dataset.stage;
          tab.classList.toggle("active", isCurrent);
          if (isCurrent) tab.setAttribute("aria-current", "true");
          else tab.removeAttribute("aria-current");
        });
      });
    },
    { threshold: 0.6 }
  );
  htmx.onLoad(function (root) {
    if (!root.querySelectorAll) return;
    root.querySelectorAll(".cv-column").forEach(function (column) {
      showing.observe(column);
    });
  });

  // A session that expired answers with the sign-in page: go there, don't pretend.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const xhr = event.detail.xhr;
    const signIn = document.body.dataset.loginUrl;
    if (xhr && signIn && xhr.responseURL && new URL(xhr.responseURL).pathname === signIn) {
      window.location.assign(xhr.responseURL);
    }
  });

  // Someone else's card (403) also comes back as the board, retargeted, with the
  // sentence naming who may move it. Any other 403 (an expired session's CSRF
  // check) stays an error, handled below.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    const xhr = event.detail.xhr;
    if (xhr.status === 403 && xhr.getResponseHeader("HX-Retarget") === "#board") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A 400 (an unreadable move) or a server error: say so and show the board as it is.
  document.body.addEventListener("htmx:responseError", function (event) {
    const text = event.detail.xhr.responseText || "The server could not do that.";
    refreshThenSay(text.slice(0, 300), "danger");
  });
  document.body.addEventListener("htmx:sendError", function () {
    notice("The server could not be reached, so nothing was changed. Reload the page when you are back online.");
  });
})();
