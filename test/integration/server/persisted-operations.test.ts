import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MANIFEST } from '../../../server/src/graphql/persisted-operations.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const manifest = JSON.parse(readFileSync(DEFAULT_MANIFEST, 'utf8')) as Record<string, string>;
const [key, text] = Object.entries(manifest).find(([, t]) => t.startsWith('query Viewer')) ?? [];

async function post(server: TestServer, body: unknown) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as { data?: unknown; errors?: { message: string }[] };
}

describe('persisted operations', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.stop());

  it('the manifest holds the SPA operations by SHA-256', () => {
    expect(key).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(text).toContain('viewer');
  });

  it('runs an operation sent by hash only (Apollo-style extension and documentId)', async () => {
    const hash = (key as string).replace('sha256:', '');
    expect(
      await post(server, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
    ).toEqual({ data: { __typename: 'Query', viewer: null } });
    expect(await post(server, { documentId: key })).toEqual({
      data: { __typename: 'Query', viewer: null },
    });
  });

  it('refuses an unknown hash with a clear error, and still accepts full documents', async () => {
    const unknown = await post(server, {
      extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
    });
    expect(unknown.errors?.[0]?.message).toMatch(/PersistedQueryNotFound/i);
    expect(await post(server, { query: '{ viewer { id } }' })).toEqual({ data: { viewer: null } });
  });
});
