import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';

/** The SPA's operations by hash, written by `npm run generate` (codegen `persistedDocuments`). */
export const DEFAULT_MANIFEST = fileURLToPath(
  new URL('../../../web/src/gql/persisted-documents.json', import.meta.url),
);

/**
 * Accepts operations by SHA-256 (`extensions.persistedQuery.sha256Hash` or `documentId`, with or
 * without the `sha256:` prefix) from the committed manifest, and still allows full documents: the
 * API is public for integrators and GraphiQL. A deployment can later refuse arbitrary operations from
 * browsers without any client change.
 */
export function persistedOperationsPlugin(manifestPath = DEFAULT_MANIFEST) {
  const byHash = new Map<string, string>();
  if (existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, string>;
    for (const [key, text] of Object.entries(manifest))
      byHash.set(key.replace(/^sha256:/, ''), text);
  }
  return usePersistedOperations({
    allowArbitraryOperations: true,
    extractPersistedOperationId: (params) => {
      const p = params as {
        documentId?: unknown;
        extensions?: { persistedQuery?: { sha256Hash?: unknown } };
      };
      const id = p.documentId ?? p.extensions?.persistedQuery?.sha256Hash;
      return typeof id === 'string' ? id : null;
    },
    getPersistedOperation: (key) => byHash.get(key.replace(/^sha256:/, '')) ?? null,
  });
}
