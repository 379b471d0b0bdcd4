// Renders /openapi.json with Swagger UI, served from the binary. The
// validator badge is off: it would send the document to a third-party host.
window.hearthDocs = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  validatorUrl: null,
  deepLinking: true,
});
