import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeDriver } from '../../orchestrator/src/drivers/driver.ts';
import { createLocalDriver } from '../../orchestrator/src/drivers/local/local-driver.ts';
import { localDriverDir } from '../../schema/domain/local-layout.ts';
import { firstRunSetupUrl } from '../../server/src/auth/first-run.ts';
import { freePort } from '../testkit/caddy.ts';
import { createTestDatabase } from '../testkit/database.ts';
import { expectControlUiPastPairing } from '../testkit/openclaw-ui.ts';
import {
  startTestOrchestrator,
  TEST_SECRET,
  type TestOrchestrator,
} from '../testkit/orchestrator.ts';
import { seed } from '../testkit/seed.ts';
import { SpecWriter } from '../testkit/spec-writer.ts';
import { send } from './entrance-support.ts';
import {
  buildSpa,
  CHROMIUM,
  launchChromium,
  shoot,
  startWebServer,
  VIEWPORTS,
  type WebServer,
} from './web-support.ts';
import { trackGraphqlTraffic } from './web-traffic.ts';

const PASSWORD = 'Correct-horse-42';
const HOST = 'claw.localhost';

/**
 * The SPA in Debian's Chromium against the REAL stack: the server as main.ts wires it (GraphQL,
 * graphql-ws, entrance + embedded edge, SPA), PostgreSQL, the orchestrator with the local driver, and
 * a REAL OpenClaw gateway. One story, in order: first-run setup → invitation → accept → start →
 * Running live over the WebSocket → open the workspace → server restart with resume → disable.
 */
describe.skipIf(!existsSync(CHROMIUM))(
  'web SPA end to end (Chromium + server + orchestrator + OpenClaw)',
  () => {
    let web: WebServer;
    let orch: TestOrchestrator;
    let driver: RuntimeDriver;
    let spec: SpecWriter;
    let browser: Browser;
    let adminCtx: BrowserContext;
    let userCtx: BrowserContext;
    let admin: Page;
    let user: Page;
    let dataDir: string;
    let distDir: string;
    let inviteUrl: string;

    beforeAll(async () => {
      distDir = mkdtempSync(join(tmpdir(), 'clawloops-web-dist-'));
      buildSpa(distDir);
      const databaseUrl = await createTestDatabase();
      const port = await freePort();
      // One login must cover the runtime hosts, as COOKIE_DOMAIN=.example.com does in production.
      // Chromium refuses `Domain=localhost` cookies, so the app lives on claw.localhost and the
      // workspaces on u-<name>.claw.localhost (every *.localhost name is loopback to Chromium).
      // Server and orchestrator share DATA_DIR, as under `npm start` (the server reads console logs).
      dataDir = mkdtempSync(join(tmpdir(), 'clawloops-web-e2e-'));
      web = await startWebServer({
        databaseUrl,
        secret: TEST_SECRET,
        port,
        distDir,
        hostname: HOST,
        env: { COOKIE_DOMAIN: HOST, DATA_DIR: dataDir },
      });
      driver = createLocalDriver({
        dataDir: localDriverDir(dataDir),
        portBase: 24_000,
        stopTimeoutMs: 8_000,
      });
      orch = await startTestOrchestrator(databaseUrl, driver, {
        target: { secret: TEST_SECRET, publicUrl: web.origin },
      });
      spec = new SpecWriter(databaseUrl);
      browser = await launchChromium();
      adminCtx = await browser.newContext({ viewport: VIEWPORTS.desktop });
      userCtx = await browser.newContext({ viewport: VIEWPORTS.desktop });
      admin = await adminCtx.newPage();
      user = await userCtx.newPage();
    }, 200_000);

    afterAll(async () => {
      await browser?.close();
      // Never leave a gateway behind, whatever failed above.
      const owners = web ? await ownersOf(web) : new Map<string, string>();
      for (const id of (await driver?.listKnown()) ?? [])
        await driver.ensureDeleted(id, owners.get(id) ?? id, 'wipe').catch(() => {});
      await orch?.stop();
      await spec?.close();
      await web?.stop();
      for (const dir of [dataDir, distDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('serves the SPA for app routes only, with cache headers', async () => {
      const page = await fetch(`${web.local}/admin/users`);
      expect(page.status).toBe(200);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const html = await page.text();
      expect(html).toContain(`<meta name="clawloops-runtime-domain" content="${HOST}" />`);
      const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
      const js = await fetch(`${web.local}${asset}`);
      expect(js.headers.get('cache-control')).toContain('immutable');
      expect(js.headers.get('content-type')).toContain('javascript');
      for (const path of [
        '/graphql/x',
        '/auth/nope',
        '/v1/models',
        '/assets/missing.js',
        '/%2e%2e/package.json',
      ])
        expect(await (await fetch(`${web.local}${path}`)).text(), path).not.toContain(
          '<div id="root">',
        );
      // A runtime host never gets the SPA (the edge answers: no such runtime yet).
      const runtimeHost = await send('127.0.0.1', web.port, `u-nobody.${HOST}:${web.port}`, '/', {
        headers: { accept: 'text/html' },
      });
      expect(runtimeHost.body).not.toContain('<div id="root">');
    });

    it('first run: the one-time link creates the admin, who lands on the live overview', async () => {
      const setupUrl = await firstRunSetupUrl(web.deps.orm.em.fork(), TEST_SECRET, web.origin);
      expect(setupUrl).toBeTruthy();
      await admin.goto(setupUrl as string);
      await admin.getByRole('heading', { name: 'Set up ClawLoops' }).waitFor();
      await shoot(admin, 'setup');
      await admin.getByLabel('Admin username').fill('root');
      await admin.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await admin.getByLabel('Repeat password').fill(PASSWORD);
      await admin.getByRole('button', { name: 'Create admin and sign in' }).click();
      await admin.getByRole('heading', { name: 'Overview' }).waitFor();
      await expect.poll(() => admin.getByTestId('stat-users').textContent()).toBe('1');
      await shoot(admin, 'admin-overview');
    });

    it('the admin creates an invitation and copies its link (shown once)', async () => {
      await nav(admin, 'Invitations');
      await admin.getByLabel('Username (optional)').fill('ivy');
      await admin.getByRole('button', { name: 'Create invitation link' }).click();
      const link = admin.getByLabel('Invitation link');
      await link.waitFor();
      inviteUrl = await link.inputValue();
      expect(inviteUrl).toMatch(new RegExp(`^${web.origin}/invite/`));
      await shoot(admin, 'admin-invitations');
    });

    it('the invitee sees the preview (username locked), accepts, and lands on an empty runtime page', async () => {
      await user.goto(inviteUrl);
      await user.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
      expect(await user.getByLabel('Username').inputValue()).toBe('ivy');
      expect(await user.getByLabel('Username').getAttribute('readonly')).not.toBeNull();
      await shoot(user, 'invite');
      await user.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await user.getByLabel('Repeat password').fill(PASSWORD);
      await user.getByRole('button', { name: 'Create account' }).click();
      await user.getByRole('heading', { name: 'No runtime yet' }).waitFor();
      await shoot(user, 'my-runtime-empty');
    });

    it('starts the runtime and sees it turn Running without reloading — over the WebSocket, no polling', async () => {
      // The admin watches the overview meanwhile: its counts move without a reload too.
      await nav(admin, 'Overview');
      expect(await admin.getByTestId('stat-running').textContent()).toBe('0');
      const adminTraffic = trackGraphqlTraffic(admin);
      const traffic = trackGraphqlTraffic(user);
      await user.getByRole('button', { name: 'Start my runtime' }).click();
      await user.getByText('Start progress').waitFor();
      await shoot(user, 'my-runtime-starting');
      const settled = Date.now() + 3_000;
      await user.getByRole('link', { name: /Open workspace/ }).waitFor({ timeout: 170_000 });
      expect(await user.getByText('Running', { exact: true }).count()).toBeGreaterThan(0);
      // The status changes came as graphql-ws `next` messages; HTTP was used only around the click.
      expect(traffic.wsPhases()).toContain('RUNNING');
      expect(traffic.httpAfter(settled), JSON.stringify(traffic.http)).toEqual([]);
      expect(traffic.navigations).toBe(0);
      await expect.poll(() => admin.getByTestId('stat-running').textContent()).toBe('1');
      expect(adminTraffic.navigations).toBe(0);
      await shoot(user, 'my-runtime-running');
    }, 200_000);

    it('opens the workspace through the embedded edge (u-ivy.claw.localhost)', async () => {
      const [tab] = await Promise.all([
        userCtx.waitForEvent('page'),
        user.getByRole('link', { name: /Open workspace/ }).click(),
      ]);
      await tab.waitForLoadState('domcontentloaded');
      expect(new URL(tab.url()).host).toBe(`u-ivy.${HOST}:${web.port}`);
      await expectControlUiPastPairing(tab);
      await tab.waitForTimeout(3_000); // what the person sees once the Control UI has tried to connect
      await shoot(tab, 'workspace');
      await tab.close();
      // The console log of the real gateway: the tail, then live lines.
      await user.getByText('Console log').click();
      const log = user.locator('pre.log');
      await log.waitFor();
      await expect.poll(async () => (await log.textContent())?.length ?? 0).toBeGreaterThan(20);
      await shoot(user, 'my-runtime-logs');
    });

    it('after a server restart the page reconnects by itself and replays what it missed', async () => {
      const runtimeId = await runtimeOf(web, 'ivy');
      const traffic = trackGraphqlTraffic(user);
      const down = web.restart(4_000);
      await user.getByText(/Reconnecting/).waitFor();
      // While the server is down, the orchestrator keeps working and writes events.
      await spec.setDesired(runtimeId, 'stopped');
      await down;
      await user.getByText('Stopped', { exact: true }).first().waitFor({ timeout: 30_000 });
      await user.getByText(/Reconnecting/).waitFor({ state: 'detached' });
      // The re-sent subscription carried the newest cursor seen, and the missed events came over it.
      const resumed = traffic.subscribes.filter((m) => m.operationName === 'RuntimeStatus');
      expect(resumed.length).toBeGreaterThan(0);
      expect(resumed.every((m) => /^\d+$/.test(m.after ?? ''))).toBe(true);
      expect(traffic.wsPhases()).toContain('STOPPED');
      expect(traffic.navigations).toBe(0);
    }, 60_000);

    it('an admin disables the user; the user’s page says so', async () => {
      await user.getByRole('button', { name: 'Start', exact: true }).click();
      await user.getByRole('link', { name: /Open workspace/ }).waitFor({ timeout: 120_000 });
      await nav(admin, 'Users');
      await admin.getByTestId('user-row-ivy').waitFor();
      await shoot(admin, 'admin-users');
      await admin.getByRole('button', { name: 'Disable ivy' }).click();
      await admin.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
      await user.getByRole('heading', { name: 'Account disabled' }).waitFor({ timeout: 15_000 });
      await shoot(user, 'disabled');
      await nav(admin, 'Runtimes');
      await admin
        .getByTestId('runtime-row-ivy')
        .getByText(/^Stopp(ing|ed)$/)
        .waitFor({ timeout: 30_000 });
      await admin.getByLabel('Owner').fill('zz-none');
      await admin.getByText('No user has this username.').waitFor();
      await admin.getByLabel('Owner').fill('ivy');
      await admin.getByTestId('runtime-row-ivy').waitFor();
      await admin.getByRole('button', { name: "Log of ivy's runtime" }).click();
      await admin
        .locator('pre.log')
        .getByText(/gateway/)
        .first()
        .waitFor();
      await shoot(admin, 'admin-runtimes');

      // Per-row delete from the admin table: the dialog asks preserve or wipe; Escape cancels.
      await admin.getByRole('button', { name: "Delete ivy's runtime" }).click();
      const dialog = admin.getByRole('dialog', { name: "Delete ivy's runtime?" });
      await dialog.waitFor();
      await shoot(admin, 'delete-dialog');
      await admin.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      await admin.getByRole('button', { name: "Delete ivy's runtime" }).click();
      await dialog.getByLabel(/Wipe the workspace/).check();
      await dialog.getByRole('button', { name: 'Delete and wipe' }).click();
      await admin
        .getByTestId('runtime-row-ivy')
        .getByText(/^Delet(ing|ed)$/)
        .waitFor({ timeout: 30_000 });
    }, 180_000);

    it('the admin adds a model route and grants it; it shows under My models', async () => {
      await nav(admin, 'Model routes');
      await admin.getByLabel('Public model name').fill('gpt-small');
      await admin.getByLabel('Base URL').fill('http://127.0.0.1:9/v1');
      await admin.getByLabel('Upstream model').fill('gpt-4o-mini');
      await admin.getByLabel('Input price ($/1M)').fill('0.15');
      await admin.getByLabel('Output price ($/1M)').fill('0.6');
      await admin.getByRole('button', { name: 'Add route' }).click();
      await admin.getByText('Route gpt-small added').waitFor();
      await admin.getByLabel('Grant gpt-small to a user').fill('root');
      await admin.getByRole('button', { name: 'Grant', exact: true }).click();
      await admin.getByRole('button', { name: 'Revoke root from gpt-small' }).waitFor();
      await admin.getByLabel('Period', { exact: true }).selectOption('DAY');
      await admin.getByLabel('Token limit').fill('6000');
      await admin.getByRole('button', { name: 'Save default budget' }).click();
      await admin.getByText('Default budget saved.').waitFor();
      await admin.getByLabel('For user').fill('ivy');
      await admin.getByLabel('Token limit').fill('2000');
      await admin.getByRole('button', { name: 'Save budget for ivy' }).click();
      await admin.getByText('Budget for ivy saved.').waitFor();
      await admin.getByLabel('For user').fill('');
      await shoot(admin, 'admin-models');
      await recordUsage(web, ['root', 'ivy']);
      await nav(admin, 'Models');
      await admin.getByRole('cell', { name: /gpt-small/ }).waitFor();
      await shoot(admin, 'my-models');
    });

    it('every other page renders its states in words (desktop and phone screenshots)', async () => {
      const users = seed(web.asTestServer);
      const main = admin.getByRole('navigation', { name: 'Main' });
      await main.getByRole('link', { name: 'Usage', exact: true }).last().click();
      await admin.getByText('Tokens', { exact: true }).first().waitFor();
      await shoot(admin, 'admin-usage');
      await nav(admin, 'Audit log');
      await admin.getByRole('cell', { name: 'user.setStatus' }).first().waitFor();
      await shoot(admin, 'admin-audit');
      await admin.getByLabel('Who').fill('ivy');
      await admin.getByRole('cell', { name: 'invitation.accept' }).waitFor();
      await expect
        .poll(() => admin.getByRole('cell', { name: 'root', exact: true }).count())
        .toBe(0);
      await admin.getByLabel('Who').fill('nobody-at-all');
      await admin.getByText('No user has this username.').waitFor();
      await main.getByRole('link', { name: 'Usage', exact: true }).first().click();
      await admin.getByRole('heading', { name: 'My usage' }).waitFor();
      await admin.waitForLoadState('networkidle');
      await shoot(admin, 'my-usage');
      await nav(admin, 'API tokens');
      await admin.getByLabel('Name').fill('laptop');
      await admin.getByRole('button', { name: 'Create token' }).click();
      expect(await admin.getByLabel('Your new token').inputValue()).toMatch(/^clt_/);
      await shoot(admin, 'api-tokens');

      const anon = await browser.newContext({ viewport: VIEWPORTS.desktop });
      const page = await anon.newPage();
      const evil = `${web.origin}/login?return=${encodeURIComponent('https://evil.example/')}`;
      await page.goto(evil);
      await page.getByLabel('Username').fill('nobody');
      await page.getByLabel('Password').fill('wrong-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Wrong username or password.').waitFor();
      await shoot(page, 'login-error');
      const revoked = await users.createInvitation({ status: 'revoked' });
      const expired = await users.createInvitation({ expiresAt: new Date(Date.now() - 1000) });
      for (const [token, heading] of [
        [revoked.token, 'This invitation was revoked'],
        [expired.token, 'This invitation has expired'],
        ['nope', 'Invitation not found'],
        [new URL(inviteUrl).pathname.split('/').pop(), 'This invitation has been used'],
      ]) {
        await page.goto(`${web.origin}/invite/${token}`);
        await page.getByRole('heading', { name: heading }).waitFor();
      }
      await shoot(page, 'invite-consumed');
      await page.goto(`${web.origin}/no/such/page`);
      await page.getByRole('heading', { name: 'Page not found (404)' }).waitFor();
      await shoot(page, 'not-found');

      // A forced password change; `return` to another site is ignored; a user at /admin gets 403.
      const bob = await users.createUser({ username: 'bob', mustChangePassword: true });
      await page.goto(evil);
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('Password').fill(bob.password);
      await page.getByLabel('Password').press('Enter'); // keyboard only
      await page.getByRole('heading', { name: 'Change password' }).waitFor();
      await shoot(page, 'change-password');
      await page.getByLabel('Current password').fill(bob.password);
      await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Repeat new password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByRole('heading', { name: 'My runtime' }).waitFor();
      expect(new URL(page.url()).host).toBe(new URL(web.origin).host);
      await page.goto(`${web.origin}/admin/users`);
      await page.getByRole('heading', { name: 'Not allowed (403)' }).waitFor();
      await shoot(page, 'forbidden');
      await anon.close();
      // The dark theme follows the system setting.
      await admin.emulateMedia({ colorScheme: 'dark' });
      await nav(admin, 'My runtime');
      await shoot(admin, 'dark-my-runtime');
      await nav(admin, 'Model routes');
      await shoot(admin, 'dark-admin-models');
    }, 120_000);
  },
);

/** Ledger rows as the model proxy writes them: a few requests a day over the last week. */
async function recordUsage(web: WebServer, usernames: string[]): Promise<void> {
  const conn = web.deps.orm.em.fork().getConnection();
  for (const [i, name] of usernames.entries())
    for (let day = 0; day < 7; day++)
      await conn.execute(
        `insert into model_usage (user_id, model, endpoint, stream, prompt_tokens, completion_tokens, cost_usd, latency_ms, status, at)
         select id, ?, 'chat', false, ?, ?, ?, 800, 200, now() - make_interval(days => ?) from users where username = ?`,
        [
          day % 2 ? 'gpt-small' : 'gpt-large',
          900 * (day + 1) + i * 700,
          400 * (7 - day),
          0.002 * (day + 1),
          day,
          name,
        ],
      );
}

/** Follows a link of the main navigation. */
async function nav(page: Page, name: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name, exact: true })
    .first()
    .click();
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

async function ownersOf(web: WebServer): Promise<Map<string, string>> {
  const rows = await web.deps.orm.em
    .fork()
    .getConnection()
    .execute('select id, owner_id from runtimes');
  return new Map((rows as { id: string; owner_id: string }[]).map((r) => [r.id, r.owner_id]));
}

async function runtimeOf(web: WebServer, username: string): Promise<string> {
  const rows = await web.deps.orm.em
    .fork()
    .getConnection()
    .execute('select r.id from runtimes r join users u on u.id = r.owner_id where u.username = ?', [
      username,
    ]);
  return (rows[0] as { id: string }).id;
}
