// Terbuka's GraphiQL: queries and mutations over POST /graphql, subscriptions over
// /graphql/ws (graphql-ws). The headers editor's JSON ({"Authorization": "Bearer …"}) goes
// with every request and, for subscriptions, as the connection's init payload.
(function () {
  'use strict';
  var base = window.location.pathname.replace(/\/+$/, '');
  var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
  function editorHeaders() {
    try {
      var parsed = JSON.parse(window.localStorage.getItem('graphiql:headers') || '{}');
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch (e) {
      return {};
    }
  }
  var fetcher = GraphiQL.createFetcher({
    url: base,
    subscriptionUrl: scheme + window.location.host + base + '/ws',
    wsConnectionParams: editorHeaders,
  });
  var defaultQuery = [
    '# Terbuka: Pemerintahan Terbuka (OGP Local).',
    '# Masuk dengan mutation login, lalu tulis {"Authorization": "Bearer …"} di Headers.',
    '# (Sign in with the login mutation, then put {"Authorization": "Bearer …"} under Headers.)',
    '{',
    '  members {',
    '    totalCount',
    '    nodes { name level timeZone organisations(first: 10) { totalCount nodes { name acronym kind } } }',
    '  }',
    '}',
    '',
  ].join('\n');
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: true,
    }),
  );
})();
