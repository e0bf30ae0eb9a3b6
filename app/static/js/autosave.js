// Saves a quiz answer as soon as it changes; the form still works as a normal POST without JS.
// An answer the server has not confirmed is kept in sessionStorage and sent again, with growing
// pauses, until it is confirmed: a database blip never loses it. Sending twice is safe, since a
// question keeps one answer (the server upserts).
(function () {
  "use strict";
  var RETRY_MS = [1000, 2000, 4000, 8000, 15000];
  var PREFIX = "prodready-unsaved:";

  function store() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function keyFor(action, position) { return PREFIX + action + "#" + position; }

  function remember(action, position, saved) {
    var s = store();
    if (s) { s.setItem(keyFor(action, position), JSON.stringify(saved)); }
  }

  function forget(action, position) {
    var s = store();
    if (s) { s.removeItem(keyFor(action, position)); }
  }

  function pendingFor(action) {
    var s = store();
    var found = [];
    if (!s) { return found; }
    for (var i = 0; i < s.length; i += 1) {
      var key = s.key(i);
      if (key && key.indexOf(PREFIX + action + "#") === 0) {
        found.push({ position: key.slice((PREFIX + action + "#").length), saved: JSON.parse(s.getItem(key)) });
      }
    }
    return found;
  }

  function setup(form) {
    var status = form.querySelector("[data-autosave-status]");
    var token = form.querySelector("input[name=csrf_token]").value;
    var current = form.querySelector("input[name=position]").value;
    var timers = {};
    var debounce = null;

    function show(position, text) {
      if (status && position === current) { status.textContent = text; }
    }

    function send(position, saved, attempt) {
      var body = new FormData();
      body.append("csrf_token", token);
      body.append("position", position);
      saved.values.forEach(function (value) { body.append("answer", value); });
      if (saved.skip) { body.append("skip", "1"); }
      // The question the page showed: a page left open on another question is refused (409).
      if (saved.item) { body.append("item", saved.item); }
      clearTimeout(timers[position]);
      fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (reply) {
          return { status: response.status, reply: reply };
        });
      }).then(function (result) {
        if (result.status >= 200 && result.status < 300) {
          forget(form.action, position);
          show(position, result.reply.cleared ? "Answer cleared: this question counts as unanswered."
            : result.reply.missing ? "Saved, but not finished: choose " + result.reply.missing + " more."
            : "Saved.");
          if (position === current) { count(!result.reply.cleared); }
        } else if (result.status === 503 || result.status === 429 || result.status >= 500) {
          retry(position, saved, attempt);
        } else {
          // Refused for a reason a retry cannot fix (invalid, submitted): say why, stop.
          forget(form.action, position);
          show(position, result.reply.error || "Not saved.");
        }
      }).catch(function () { retry(position, saved, attempt); });
    }

    function retry(position, saved, attempt) {
      var wait = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
      show(position, "Not saved yet, retrying…");
      timers[position] = setTimeout(function () { send(position, saved, attempt + 1); }, wait);
    }

    // The progress line's "N answered" follows this question's saves.
    var answeredHere = form.hasAttribute("data-answered");
    function count(answered) {
      if (answered === answeredHere) { return; }
      answeredHere = answered;
      document.querySelectorAll("[data-answered-count]").forEach(function (node) {
        var n = Number(node.getAttribute("data-answered-count")) + (answered ? 1 : -1);
        node.setAttribute("data-answered-count", n);
        if (node.tagName === "PROGRESS") { node.value = n; } else { node.textContent = n; }
      });
    }

    function saveCurrent() {
      var values = [];
      form.querySelectorAll("input[name=answer]:checked").forEach(function (input) {
        values.push(input.value);
      });
      var shown = form.querySelector("input[name=item]");
      var saved = { values: values, skip: false, item: shown ? shown.value : "" };
      remember(form.action, current, saved);
      show(current, "Saving…");
      send(current, saved, 0);
    }

    form.addEventListener("change", function (event) {
      if (event.target.name !== "answer") { return; }
      clearTimeout(debounce);
      debounce = setTimeout(saveCurrent, 250);
    });

    // Answers left unconfirmed on an earlier page of this attempt go out again now.
    pendingFor(form.action).forEach(function (entry) {
      send(entry.position, entry.saved, 0);
    });
  }

  document.querySelectorAll("form[data-autosave]").forEach(setup);
})();
