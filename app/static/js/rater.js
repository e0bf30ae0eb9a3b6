// Saves a rater's answers for one skill as they choose, so nothing is lost if they close the
// page; without JS the buttons save the same way. One save at a time, each sending the whole
// page, and one more after it when something changed meanwhile: the last choice always wins.
(function () {
  "use strict";
  var form = document.querySelector("form[data-rater-autosave]");
  if (!form || !window.fetch) { return; }
  var status = form.querySelector("[data-autosave-status]");
  var timer = null;
  var sending = false;
  var again = false;

  function save() {
    if (sending) { again = true; return; }
    sending = true;
    again = false;
    status.textContent = "Saving…";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) {
        status.textContent = "Saved.";
      } else if (response.status === 409) {
        status.textContent = "Not saved: these answers were started in another browser. Reload the page.";
      } else {
        status.textContent = "Not saved: use the button below.";
      }
    }).catch(function () {
      status.textContent = "Not saved (no connection): your choices are still on the page.";
    }).then(function () {
      sending = false;
      if (again) { save(); }
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.type === "radio") { save(); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 800);
  });
}());
