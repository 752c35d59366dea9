import { builder } from '../builder.ts';

// `node(id)` and the Node interface come from the relay plugin; object types opt in with
// `builder.node(...)` in their own files.
builder.queryField('serverTime', (t) =>
  t.field({
    type: 'DateTime',
    description: 'Current server time (health of the API itself).',
    resolve: () => new Date(),
  }),
);
