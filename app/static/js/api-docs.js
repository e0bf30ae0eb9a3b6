// Starts Swagger UI (vendored in static/vendor/swagger-ui) on the API's own OpenAPI document.
document.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || typeof SwaggerUIBundle !== "function") return;
  SwaggerUIBundle({ url: target.dataset.specUrl, domNode: target, deepLinking: true });
});
