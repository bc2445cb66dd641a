// Starts the BFF's GraphiQL from the configuration the page carries (bff/graphiql.py):
// the client's operations as tabs, the development header, and state kept per client.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var endpoint = window.location.origin + window.location.pathname;

  // Both BFFs share one origin, and so one localStorage: each keeps its state under its own
  // prefix. Headers are never saved (they hold a token that expires): a tab restored from an
  // earlier visit has none, and GraphiQL shows it with this page's fresh defaultHeaders.
  function clientStorage(prefix) {
    var keys = function () {
      return Object.keys(window.localStorage).filter(function (key) {
        return key.indexOf(prefix) === 0;
      });
    };
    return {
      getItem: function (key) {
        return window.localStorage.getItem(prefix + key);
      },
      setItem: function (key, value) {
        window.localStorage.setItem(prefix + key, value);
      },
      removeItem: function (key) {
        window.localStorage.removeItem(prefix + key);
      },
      clear: function () {
        keys().forEach(function (key) {
          window.localStorage.removeItem(key);
        });
      },
      get length() {
        return keys().length;
      },
    };
  }

  var fetcher = GraphiQL.createFetcher({
    url: endpoint,
    // Subscriptions (TrackOrder) use graphql-transport-ws on the same path; GraphiQL sends
    // the Headers pane as the connection_init payload, where the BFF reads the token.
    subscriptionUrl: endpoint.replace(/^http/, "ws"),
  });

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: config.tabs,
      defaultHeaders: config.headers,
      defaultEditorToolsVisibility: "variables",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      inputValueDeprecation: true,
      storage: clientStorage(config.storageNamespace + ":"),
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    })
  );
})();
