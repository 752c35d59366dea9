import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConsoleLogPath, localDriverDir } from '../../../schema/domain/local-layout.ts';
import { expectNoGraphQLErrors, gql, wsClient } from '../../testkit/graphql.ts';
import { type SeededUser, type Seeder, seed } from '../../testkit/seed.ts';
import { startTestServer, type TestServer } from '../../testkit/server.ts';

const LOGS = `query($id: ID!, $tail: Int) { runtimeLogs(runtimeId: $id, tail: $tail) {
  __typename ... on RuntimeLogLines { lines } ... on Error { code } } }`;
const FOLLOW = `subscription($id: ID!) { runtimeLogLines(runtimeId: $id) {
  __typename ... on RuntimeLogLines { lines } ... on Error { code } } }`;
const START = 'mutation { startRuntime { ... on Runtime { id } } }';

// biome-ignore lint/suspicious/noExplicitAny: result shapes are checked field by field
type Any = any;

/**
 * `runtimeLogs` / `runtimeLogLines` read the local driver's console log straight from DATA_DIR (no
 * orchestrator is needed: the test writes the file where the driver would).
 */
describe('runtime logs', () => {
  let server: TestServer;
  let s: Seeder;
  let dataDir: string;
  let owner: SeededUser;
  let ownerCookie: string;
  let runtimeId: string;
  let logPath: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'clawloops-logs-'));
    server = await startTestServer({ env: { DATA_DIR: dataDir, RUNTIME_DRIVER: 'local' } });
    s = seed(server);
    owner = await s.createUser({ username: 'log-owner' });
    ownerCookie = await s.loginAs(owner);
    const res = expectNoGraphQLErrors(await gql(server.url, START, {}, { cookie: ownerCookie }));
    runtimeId = (res as Any).startRuntime.id;
    const raw = Buffer.from(runtimeId, 'base64')
      .toString()
      .replace(/^Runtime:/, '');
    logPath = localConsoleLogPath(localDriverDir(dataDir), raw);
    await mkdir(dirname(logPath), { recursive: true });
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i + 1}`);
    await writeFile(logPath, `${lines.join('\n')}\n`);
  });

  afterAll(async () => {
    await server?.stop();
  });

  const logs = async (cookie: string | null, tail?: number) =>
    (await gql(server.url, LOGS, { id: runtimeId, tail }, { cookie })).data?.runtimeLogs as Any;

  it('gives the owner the last 200 lines by default, and the last N on request', async () => {
    const all = await logs(ownerCookie);
    expect(all.__typename).toBe('RuntimeLogLines');
    expect(all.lines).toHaveLength(200);
    expect(all.lines[0]).toBe('line 101');
    expect(all.lines.at(-1)).toBe('line 300');
    expect((await logs(ownerCookie, 3)).lines).toEqual(['line 298', 'line 299', 'line 300']);
    expect(await logs(ownerCookie, 0)).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('denies another user and anonymous callers; allows an admin', async () => {
    const other = await s.loginAs(await s.createUser({ username: 'log-other' }));
    expect(await logs(other)).toMatchObject({ __typename: 'ForbiddenError' });
    expect(await logs(null)).toMatchObject({ __typename: 'UnauthenticatedError' });
    const admin = await s.loginAs(await s.createUser({ username: 'log-admin', role: 'admin' }));
    expect((await logs(admin, 1)).lines).toEqual(['line 300']);
  });

  it('streams lines appended after subscribing, to the owner only', async () => {
    const ws = wsClient(server.wsUrl, { cookie: ownerCookie });
    const it = ws.client.iterate<Any>({ query: FOLLOW, variables: { id: runtimeId } });
    const first = it.next();
    await new Promise((r) => setTimeout(r, 300)); // the tail has fixed its starting point
    await appendFile(logPath, 'fresh 1\nfresh 2\npartial');
    const got = await first;
    expect(got.value.data.runtimeLogLines).toEqual({
      __typename: 'RuntimeLogLines',
      lines: ['fresh 1', 'fresh 2'],
    });
    await appendFile(logPath, ' line\n');
    expect((await it.next()).value.data.runtimeLogLines.lines).toEqual(['partial line']);
    await it.return?.();
    await ws.dispose();

    const stranger = await s.loginAs(await s.createUser({ username: 'log-stranger' }));
    const ws2 = wsClient(server.wsUrl, { cookie: stranger });
    const denied = await ws2.execute(FOLLOW, { id: runtimeId });
    expect(denied.data?.runtimeLogLines).toMatchObject({ __typename: 'ForbiddenError' });
    await ws2.dispose();
  });

  it('answers NotAvailableError for the Kubernetes driver', async () => {
    const kube = await startTestServer({
      databaseUrl: server.databaseUrl,
      env: { DATA_DIR: dataDir, RUNTIME_DRIVER: 'kubernetes' },
    });
    try {
      const res = await gql(kube.url, LOGS, { id: runtimeId }, { cookie: ownerCookie });
      expect(res.data?.runtimeLogs).toMatchObject({
        __typename: 'NotAvailableError',
        code: 'LOGS_NOT_AVAILABLE_FOR_DRIVER',
      });
    } finally {
      await kube.stop();
    }
  });
});
