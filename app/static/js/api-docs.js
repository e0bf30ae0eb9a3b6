// Starts Swagger UI (vendored in static/vendor/swagger-ui) on the API's own OpenAPI document, in
// a layout of its own parts without the two the page already has: a title block and a <main>
// (Swagger UI's would sit inside the page's). Deep links are off: each one was a link inside
// its operation's button.
function prodReadyLayout(system) {
  var h = system.React.createElement;
  var part = system.getComponent;
  return {
    components: {
      ProdReadyLayout: function () {
        return h(
          "div",
          { className: "swagger-ui" },
          h(part("SvgAssets")),
          h(part("errors", true)),
          h("div", { className: "scheme-container" }, h(part("AuthorizeBtnContainer", true))),
          h(part("operations", true)),
          h(part("Models", true))
        );
      },
    },
  };
}

document.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || typeof SwaggerUIBundle !== "function") return;
  SwaggerUIBundle({
    url: target.dataset.specUrl,
    domNode: target,
    deepLinking: false,
    plugins: [prodReadyLayout],
    layout: "ProdReadyLayout",
  });
});
