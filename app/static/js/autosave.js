// Saves a quiz answer as soon as it changes; the form still works as a normal POST without JS.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var status = form.querySelector("[data-autosave-status]");
    var pending = null;
    function show(text) { if (status) { status.textContent = text; } }
    function save() {
      var data = new FormData(form);
      show("Saving…");
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        show(result.ok ? "Saved." : (result.body.error || "Not saved."));
      }).catch(function () {
        show("Could not save just now; your answer will be sent when you continue.");
      });
    }
    form.addEventListener("change", function () {
      if (pending) { clearTimeout(pending); }
      pending = setTimeout(save, 250);
    });
  });
})();
