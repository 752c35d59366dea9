import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdleCuller } from '../../server/src/activity/idle-culler.ts';
import { SESSION_COOKIE } from '../../server/src/auth/cookies.ts';
import { condition, observe, sql } from '../integration/server/runtimes-fixtures.ts';
import { freePort } from '../testkit/caddy.ts';
import { createTestDatabase } from '../testkit/database.ts';
import { TEST_SECRET } from '../testkit/orchestrator.ts';
import { seed } from '../testkit/seed.ts';
import {
  buildSpa,
  CHROMIUM,
  launchChromium,
  shoot,
  startWebServer,
  VIEWPORTS,
  type WebServer,
} from './web-support.ts';

/**
 * The runtime card counts down to the idle stop ("Stops in 12 min if idle"), and after the culler
 * stopped the runtime it says why, live, and offers to start it again. The orchestrator is played by
 * the test (status rows), so this runs without OpenClaw.
 */
describe.skipIf(!existsSync(CHROMIUM))('web: idle stop on the runtime card', () => {
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  let distDir: string;
  let runtimeId: string;

  beforeAll(async () => {
    distDir = mkdtempSync(join(tmpdir(), 'clawloops-idle-dist-'));
    buildSpa(distDir);
    web = await startWebServer({
      databaseUrl: await createTestDatabase(),
      secret: TEST_SECRET,
      port: await freePort(),
      distDir,
      env: { IDLE_TIMEOUT_MINUTES: '12' },
    });
    const users = seed(web.asTestServer);
    const ivy = await users.createUser({ username: 'ivy' });
    const cookie = await users.loginAs(ivy);
    const [row] = await sql(
      web.asTestServer,
      `insert into runtimes (id, owner_id, created_at, desired_state, generation, retention_policy, profile,
                             runtime_version, restart_nonce, spec_updated_at)
       values (gen_random_uuid(), ?, now(), 'running', 1, 'preserve', 'default', '', 0, now()) returning id`,
      [ivy.id],
    );
    runtimeId = String(row?.id);
    await observe(web.asTestServer, runtimeId, {
      phase: 'Running',
      conditions: [condition('Ready', 'True', 'Gateway answers.')],
      endpoint: 'http://127.0.0.1:9',
    });
    browser = await launchChromium();
    const ctx = await browser.newContext({ viewport: VIEWPORTS.desktop });
    await ctx.addCookies([
      { name: SESSION_COOKIE, value: cookie.split('=').slice(1).join('='), url: web.origin },
    ]);
    page = await ctx.newPage();
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    if (distDir) rmSync(distDir, { recursive: true, force: true });
  });

  it('counts down to the idle stop, then says the runtime stopped because it was idle', async () => {
    await page.goto(`${web.origin}/`);
    const note = page.getByTestId('auto-stop');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/^Stops in 1[12] min if idle\./);
    await shoot(page, 'runtime-auto-stop');

    // The culler, 13 minutes on: the card follows over the subscription, no reload.
    const culler = createIdleCuller(
      {
        orm: web.deps.orm,
        settings: { IDLE_TIMEOUT_MINUTES: 12, MAX_RUNTIME_AGE_HOURS: 0 },
        logger: web.deps.logger,
      },
      { now: () => new Date(Date.now() + 13 * 60_000) },
    );
    expect(await culler.sweep()).toEqual([{ runtimeId, reason: 'Idle' }]);
    await observe(web.asTestServer, runtimeId, {
      phase: 'Stopped',
      event: { type: 'Stopped', message: 'Runtime stopped.' },
    });
    const message = page.getByTestId('runtime-message');
    await expect
      .poll(() => message.textContent(), { timeout: 20_000 })
      .toMatch(/^Stopped because it was idle/);
    expect(await note.count()).toBe(0);
    await page.getByText('Stopped after 12 min without activity').first().waitFor();
    await shoot(page, 'runtime-stopped-idle');

    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect
      .poll(() => message.textContent(), { timeout: 20_000 })
      .toBe('Start requested; waiting for the orchestrator.');
  }, 120_000);
});
