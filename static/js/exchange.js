/* The exchange-lunch form (templates/cultivation/exchange_form.html): "Add a name" adds a
 * blank row to a table of names, up to the most the server takes. Without JavaScript the
 * form still has its fixed blank rows. */
(function () {
  "use strict";

  function addRow(fieldset) {
    var prefix = fieldset.getAttribute("data-formset");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var most = parseInt(fieldset.getAttribute("data-rows-max"), 10);
    var count = parseInt(total.value, 10);
    if (count >= most) {
      return;
    }
    var template = fieldset.querySelector("template[data-empty-row]");
    var html = template.innerHTML.replace(/__prefix__/g, String(count));
    var body = fieldset.querySelector("tbody[data-rows]");
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(count + 1);
    var added = body.lastElementChild;
    if (window.htmx) {
      window.htmx.process(added);
    }
    var first = added.querySelector("input:not([type=hidden])");
    if (first) {
      first.focus();
    }
    if (count + 1 >= most) {
      fieldset.querySelector("[data-add-row]").hidden = true;
    }
  }

  document.querySelectorAll("fieldset[data-formset]").forEach(function (fieldset) {
    var button = fieldset.querySelector("[data-add-row]");
    button.hidden = false;
    button.addEventListener("click", function () {
      addRow(fieldset);
    });
  });
})();
