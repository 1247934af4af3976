// GraphiQL bootstrapping: the example queries come from /graphiql/examples.json (docs/queries.md),
// the token from the "Headers" tab (kept in this browser's local storage).
(async function main() {
  const examples = await fetch('/graphiql/examples.json').then((r) => (r.ok ? r.json() : [])).catch(() => []);
  const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: true,
      defaultHeaders: '{\n  "Authorization": "Bearer demo-organizer"\n}',
      defaultTabs: examples.length > 0 ? examples.map((e) => ({ query: e.query, variables: e.variables ?? '' })) : undefined,
    }),
  );
})();
