import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../orchestrator/src/drivers/driver.ts';
import { createLocalDriver } from '../../orchestrator/src/drivers/local/local-driver.ts';
import { caddyAvailable, freePort, startCaddy, type TestCaddy } from '../testkit/caddy.ts';
import { createTestDatabase } from '../testkit/database.ts';
import { expectControlUiPastPairing } from '../testkit/openclaw-ui.ts';
import {
  startTestOrchestrator,
  TEST_SECRET,
  type TestOrchestrator,
} from '../testkit/orchestrator.ts';
import { type SeededUser, seed } from '../testkit/seed.ts';
import { SpecWriter } from '../testkit/spec-writer.ts';
import { waitFor } from '../testkit/wait.ts';
import { LOGOUT_SCRIPT, writeLoginStandIn } from './runtime-login-support.ts';
import { CHROMIUM, launchChromium, startWebServer, type WebServer } from './web-support.ts';

const CONFIG_FETCH = `fetch('/control-ui-config.json', { headers: { accept: 'application/json' } })
  .then((r) => r.status)`;

/**
 * The login hand-off in Debian's Chromium, with its real cookie rules: the app on `localhost:<port>`
 * WITHOUT COOKIE_DOMAIN (a host-only cookie that `u-alice.localhost` never sees), a REAL OpenClaw
 * gateway behind the embedded edge, and the same flow through a REAL Caddy (forward_auth, with
 * `/__clawloops/*` routed around it) in front of a second server process.
 */
describe.skipIf(!existsSync(CHROMIUM))('runtime login hand-off (Chromium, real OpenClaw)', () => {
  let databaseUrl: string;
  let port: number;
  let origin: string; // http://localhost:<port>
  let runtimeHost: string; // u-alice.localhost:<port>
  let runtimeOrigin: string;
  let web: WebServer;
  let orch: TestOrchestrator;
  let driver: RuntimeDriver;
  let spec: SpecWriter;
  let browser: Browser;
  let dataDir: string;
  let distDir: string;
  let alice: SeededUser;
  let bob: SeededUser;
  let runtimeId: string;
  let endpointHost: string;
  // Alice's browser, signed in on the app host, then on her runtime host via the hand-off.
  let aliceCtx: BrowserContext;
  let aliceRuntime: Page;
  const handoffs: string[] = [];

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    port = await freePort();
    origin = `http://localhost:${port}`;
    runtimeHost = `u-alice.localhost:${port}`;
    runtimeOrigin = `http://${runtimeHost}`;
    distDir = writeLoginStandIn();
    web = await startWebServer({ databaseUrl, secret: TEST_SECRET, port, distDir });
    const users = seed(web.asTestServer);
    alice = await users.createUser({ username: 'alice' });
    bob = await users.createUser({ username: 'bob' });
    dataDir = mkdtempSync(join(tmpdir(), 'clawloops-handoff-e2e-'));
    driver = createLocalDriver({ dataDir, portBase: 25_000, stopTimeoutMs: 8_000 });
    orch = await startTestOrchestrator(databaseUrl, driver, {
      target: { secret: TEST_SECRET, publicUrl: origin },
    });
    spec = new SpecWriter(databaseUrl);
    runtimeId = await spec.runtime(alice.id);
    await waitFor('Running', () => spec.reached(runtimeId, 'Running'), {
      timeoutMs: 150_000,
      intervalMs: 250,
    });
    endpointHost = new URL((await spec.status(runtimeId)).endpoint as string).host;
    browser = await launchChromium();
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    if (runtimeId) await driver?.ensureDeleted(runtimeId, alice.id, 'wipe').catch(() => {});
    await orch?.stop();
    await spec?.close();
    await web?.stop();
    for (const dir of [dataDir, distDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function signIn(page: Page, who: SeededUser): Promise<void> {
    await page.locator('#username').fill(who.username);
    await page.locator('#password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  function record(page: Page): void {
    page.on('request', (r) => {
      if (r.url().includes('/__clawloops/session')) handoffs.push(r.url());
    });
  }

  it('signed in on the app host, the runtime host opens its Control UI without another login', async () => {
    aliceCtx = await browser.newContext();
    const page = await aliceCtx.newPage();
    await page.goto(`${origin}/login`);
    await signIn(page, alice);
    await page.waitForURL(`${origin}/`);
    // The app's cookie is host-only on localhost: the runtime host does not get it.
    expect((await aliceCtx.cookies(runtimeOrigin)).map((c) => c.name)).toEqual([]);

    aliceRuntime = await aliceCtx.newPage();
    record(aliceRuntime);
    const landed = await aliceRuntime.goto(`${runtimeOrigin}/?from=app`);
    // Where the hand-off's redirects ended (the Control UI may route on by itself afterwards, e.g.
    // to its first-run model setup, so the page's current URL is OpenClaw's business).
    expect(landed?.url()).toBe(`${runtimeOrigin}/?from=app`);
    expect(await aliceRuntime.evaluate(CONFIG_FETCH)).toBe(200);
    await expectControlUiPastPairing(aliceRuntime);
    expect(handoffs).toHaveLength(1);

    const cookie = (await aliceCtx.cookies(runtimeOrigin)).find(
      (c) => c.domain === 'u-alice.localhost',
    );
    expect(cookie).toMatchObject({ name: 'clawloops_session', httpOnly: true, sameSite: 'Lax' });
  });

  it('a hand-off link works once: a replay is refused and sets nothing', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const res = await page.goto(handoffs[0] as string);
    expect(res?.status()).toBe(400);
    expect(await page.content()).toContain('already used');
    expect(await ctx.cookies(runtimeOrigin)).toEqual([]);
    await ctx.close();
  });

  it('a token is bound to its runtime host, and the app host never redirects off its runtime hosts', async () => {
    const ask = (query: string) =>
      aliceCtx.request.get(`${origin}/auth/runtime-login?${query}`, { maxRedirects: 0 });
    const minted = await ask(`host=${encodeURIComponent(runtimeHost)}&return=%2F`);
    expect(minted.status()).toBe(302);
    const link = minted.headers().location as string;
    expect(link.startsWith(`${runtimeOrigin}/__clawloops/session?token=`)).toBe(true);

    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    const elsewhere = link.replace(`//${runtimeHost}/`, `//u-bob.localhost:${port}/`);
    expect((await page.goto(elsewhere))?.status()).toBe(403);
    expect(await ctx.cookies(`http://u-bob.localhost:${port}`)).toEqual([]);
    await ctx.close();

    for (const host of [
      'evil.com',
      `localhost:${port}`,
      'u-alice.localhost:1',
      `u-alice.evil.com:${port}`,
    ])
      expect((await ask(`host=${encodeURIComponent(host)}&return=%2F`)).status(), host).toBe(400);
    const offHost = await ask(
      `host=${encodeURIComponent(runtimeHost)}&return=${encodeURIComponent('//evil.com/x')}`,
    );
    expect(offHost.headers().location).toMatch(/&return=%2F$/);
  });

  it("another user is refused on alice's runtime host before any token is minted", async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${origin}/login`);
    await signIn(page, bob);
    await page.waitForURL(`${origin}/`);
    const before = handoffs.length;
    record(page);
    const res = await page.goto(`${runtimeOrigin}/`);
    expect(res?.status()).toBe(403);
    expect(new URL(page.url()).host).toBe(`localhost:${port}`);
    expect(handoffs).toHaveLength(before);
    await ctx.close();
  });

  it('an anonymous browser signs in once and lands back on the runtime', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${runtimeOrigin}/?from=anonymous`);
    const login = new URL(page.url());
    expect(login.origin + login.pathname).toBe(`${origin}/login`);
    expect(login.searchParams.get('return')).toBe(
      `/auth/runtime-login?host=${encodeURIComponent(runtimeHost)}&return=${encodeURIComponent('/?from=anonymous')}`,
    );
    await signIn(page, alice);
    await page.waitForURL(`${runtimeOrigin}/?from=anonymous`);
    await expectControlUiPastPairing(page);
    await ctx.close();
  });

  it('logout on the app host cuts the runtime host within a second', async () => {
    expect(await aliceRuntime.evaluate(CONFIG_FETCH)).toBe(200);
    const app = await aliceCtx.newPage();
    await app.goto(`${origin}/`);
    expect(await app.evaluate(LOGOUT_SCRIPT)).toMatchObject({ data: { logout: true } });
    const t0 = Date.now();
    await waitFor(
      'runtime host refuses',
      async () => (await aliceRuntime.evaluate(CONFIG_FETCH)) === 401,
      {
        timeoutMs: 5_000,
        intervalMs: 25,
      },
    );
    expect(Date.now() - t0).toBeLessThan(1_000);
    // A navigation starts the hand-off again, which now needs a login.
    await aliceRuntime.goto(`${runtimeOrigin}/`);
    expect(new URL(aliceRuntime.url()).pathname).toBe('/login');
    expect(new URL(aliceRuntime.url()).host).toBe(`localhost:${port}`);
  });

  describe.skipIf(!caddyAvailable())('through Caddy', () => {
    let caddy: TestCaddy;
    let viaCaddy: WebServer;
    let caddyPort: number;

    beforeAll(async () => {
      caddyPort = await freePort();
      // A second server process on the same database, whose public URL is Caddy's.
      viaCaddy = await startWebServer({
        databaseUrl,
        secret: TEST_SECRET,
        port: await freePort(),
        distDir,
        env: { PUBLIC_URL: `http://localhost:${caddyPort}` },
      });
      const server = `127.0.0.1:${viaCaddy.port}`;
      caddy = await startCaddy(
        (p) => `http://localhost:${p} {
	reverse_proxy ${server}
}
http://u-alice.localhost:${p} {
	handle /__clawloops/* {
		reverse_proxy ${server}
	}
	handle {
		forward_auth ${server} {
			uri /auth/forward
			copy_headers X-Clawloops-User X-Clawloops-User-Id X-Clawloops-Runtime-Id
		}
		reverse_proxy ${endpointHost} {
			header_up X-Forwarded-For 100::1
		}
	}
}
`,
        caddyPort,
      );
    }, 60_000);

    afterAll(async () => {
      await caddy?.stop();
      await viaCaddy?.stop();
    });

    it('an anonymous browser signs in once and lands on the runtime, forward_auth and all', async () => {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      const runtime = `http://u-alice.localhost:${caddyPort}`;
      await page.goto(`${runtime}/?via=caddy`);
      expect(new URL(page.url()).host, caddy.output()).toBe(`localhost:${caddyPort}`);
      await signIn(page, alice);
      await page.waitForURL(`${runtime}/?via=caddy`);
      expect(await page.evaluate(CONFIG_FETCH)).toBe(200);
      await expectControlUiPastPairing(page);
      await ctx.close();
    });
  });
});
