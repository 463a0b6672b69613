// The settings page: "Copy" puts the calendar address on the clipboard. Without
// JavaScript the button stays hidden and the address can be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.querySelector(button.dataset.copy);
    var status = document.querySelector("[data-copy-status]");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      field.select();
      var said = function (text) { button.textContent = text; };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { said("Copied"); },
          function () { said("Press Ctrl+C"); }
        );
      } else {
        said(document.execCommand("copy") ? "Copied" : "Press Ctrl+C");
      }
      if (status) status.dataset.copied = "true";
    });
  });
})();
