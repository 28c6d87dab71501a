// The query editor: YASGUI on this server's endpoint, one tab per catalog query.
// Kept in a file (not inline) so the page's Content-Security-Policy needs no 'unsafe-inline'.
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var endpoint = new URL("/sparql", window.location.href).href;
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistencyExpire: 0,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  if (!window.location.hash && examples.length) {
    var first = yasgui.getTab();
    first.setQuery(examples[0].query);
    first.setName(examples[0].name);
    for (var i = 1; i < examples.length; i++) {
      var tab = yasgui.addTab(false, { name: examples[i].name });
      tab.setQuery(examples[i].query);
    }
  }
})();
