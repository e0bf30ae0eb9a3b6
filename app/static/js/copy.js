// Reveals a Copy button beside a once-shown secret (hidden without JavaScript, where select-all works).
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copy + "-status");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = "Copied."; },
        function () { field.select(); status.textContent = "Press Ctrl+C to copy."; }
      );
    });
  });
})();
