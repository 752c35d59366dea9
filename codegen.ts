import type { CodegenConfig } from '@graphql-codegen/cli';
import { addTypenameSelectionDocumentTransform } from '@graphql-codegen/client-preset';

/**
 * schema/schema.graphql (printed from the server by `npm run generate`) → typed documents for the
 * SPA in web/src/gql. Both outputs are committed; test/integration/generated-drift.test.ts fails when
 * either is stale. Documents are the `graphql(...)` calls in web/src.
 */
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['web/src/**/*.{ts,tsx}', '!web/src/gql/**'],
  ignoreNoDocuments: true,
  generates: {
    'web/src/gql/': {
      preset: 'client',
      // persisted-documents.json maps each operation's SHA-256 to its text; the server accepts
      // operations by hash (`extensions.persistedQuery.sha256Hash` or `documentId`).
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
      // Every selection carries __typename, so union results (payload | typed error) narrow in TS.
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: false,
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
