// A multiple-select question says how many to choose ("Choose 2"). Once that many are ticked, the
// other boxes are disabled and a live message says why, so the page never shows more ticks than
// can be saved. Without JavaScript the server refuses such an answer and shows the saved one.
(function () {
  "use strict";

  function setup(group) {
    var limit = Number(group.getAttribute("data-choose"));
    var boxes = group.querySelectorAll("input[type=checkbox]");
    var status = group.parentNode.querySelector("[data-choose-status]");

    function update(announce) {
      var full = group.querySelectorAll("input[type=checkbox]:checked").length >= limit;
      boxes.forEach(function (box) { box.disabled = full && !box.checked; });
      if (announce && status) {
        status.textContent = full ? limit + " of " + limit + " chosen: untick one to choose another." : "";
      }
    }

    group.addEventListener("change", function () { update(true); });
    update(false);
  }

  document.querySelectorAll("[data-choose]").forEach(setup);
})();
