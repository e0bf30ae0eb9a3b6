// A question page, enhanced (it works without JavaScript):
// - The answers take the focus as the page loads (autofocus), so the keyboard starts there.
//   Focusing scrolls the answer into view, which on a small screen can push the question above
//   the top: focus without scrolling, then bring the question back into view.
// - A multiple-select question says how many to choose ("Choose 2"). Once that many are ticked,
//   the other boxes are disabled and a live message says why, so the page never shows more
//   ticks than can be saved. Without JavaScript the server refuses such an answer and shows
//   the saved one.
(function () {
  "use strict";

  function focusKeepingTheQuestionInView() {
    var target = document.querySelector("form[data-autosave] [autofocus]");
    var legend = document.querySelector("form[data-autosave] legend");
    if (!target || !legend) { return; }
    target.focus({ preventScroll: true });
    var below = target.getBoundingClientRect().bottom > window.innerHeight;
    if (legend.getBoundingClientRect().top < 0 || below) { legend.scrollIntoView({ block: "start" }); }
  }

  function limitTicks(group) {
    var limit = Number(group.getAttribute("data-choose"));
    var boxes = group.querySelectorAll("input[type=checkbox]");
    var status = group.parentNode.querySelector("[data-choose-status]");

    function update(announce) {
      var ticked = group.querySelectorAll("input[type=checkbox]:checked").length;
      var full = ticked >= limit;
      boxes.forEach(function (box) { box.disabled = full && !box.checked; });
      if (announce && status) {
        status.textContent = full ? limit + " of " + limit + " chosen: untick one to choose another."
          : ticked ? ticked + " of " + limit + " chosen: choose " + (limit - ticked) + " more." : "";
      }
    }

    group.addEventListener("change", function () { update(true); });
    update(false);
  }

  focusKeepingTheQuestionInView();
  document.querySelectorAll("[data-choose]").forEach(limitTicks);
})();
