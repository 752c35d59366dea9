import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../integration/server/runtimes-fixtures.ts';
import { freePort } from '../testkit/caddy.ts';
import { createTestDatabase } from '../testkit/database.ts';
import { gql } from '../testkit/graphql.ts';
import { TEST_SECRET } from '../testkit/orchestrator.ts';
import { type SeededUser, seed } from '../testkit/seed.ts';
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
 * The SPA's runtime profiles in Chromium against the real server (no orchestrator: what is shown
 * here is the spec, not a running gateway): an admin manages profiles, a user chooses one when
 * starting, and a start over the running-runtime limit (MAX_RUNNING_RUNTIMES=1) is explained in
 * words.
 */
describe.skipIf(!existsSync(CHROMIUM))('web SPA: runtime profiles and limits', () => {
  let web: WebServer;
  let browser: Browser;
  let admin: Page;
  let user: Page;
  let distDir: string;
  let alice: SeededUser;
  let bobCookie: string;

  beforeAll(async () => {
    distDir = mkdtempSync(join(tmpdir(), 'clawloops-web-dist-'));
    buildSpa(distDir);
    web = await startWebServer({
      databaseUrl: await createTestDatabase(),
      secret: TEST_SECRET,
      port: await freePort(),
      distDir,
      env: { MAX_RUNNING_RUNTIMES: '1' },
    });
    const s = seed(web.asTestServer);
    await s.createUser({ username: 'root', password: 'Correct-horse-42', role: 'admin' });
    alice = await s.createUser({ username: 'alice', password: 'Correct-horse-42' });
    const bob = await s.createUser({ username: 'bob' });
    bobCookie = await s.loginAs(bob);
    // Bob's runtime takes the only slot.
    const res = await gql(
      `${web.local}/graphql`,
      'mutation { startRuntime { __typename } }',
      {},
      {
        cookie: bobCookie,
      },
    );
    expect(res.data).toEqual({ startRuntime: { __typename: 'Runtime' } });
    browser = await launchChromium();
    admin = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage();
    user = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage();
  }, 200_000);

  afterAll(async () => {
    await browser?.close();
    await web?.stop();
    if (distDir) rmSync(distDir, { recursive: true, force: true });
  });

  async function signIn(page: Page, username: string): Promise<void> {
    await page.goto(`${web.origin}/login`);
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill('Correct-horse-42');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  }

  it('an admin adds, edits and deletes profiles; bad sizes are explained per field', async () => {
    await signIn(admin, 'root');
    await admin.getByRole('link', { name: 'Profiles' }).click();
    await admin.getByRole('heading', { name: 'Runtime profiles' }).waitFor();
    await admin.getByText('1 of at most 1').waitFor();

    const add = admin.locator('section.card', {
      has: admin.getByRole('heading', { name: 'Add a profile' }),
    });
    await add.getByLabel('Name', { exact: true }).fill('large');
    await add.getByLabel('Display name').fill('Large');
    await add.getByLabel('Description').fill('For long agent sessions with big repositories.');
    await add.getByLabel('CPU request').fill('1');
    await add.getByLabel('CPU limit').fill('4');
    await add.getByLabel('Memory (MiB)').fill('8192');
    await add.getByLabel('V8 heap cap (MiB)').fill('9000');
    await add.getByLabel('Workspace disk (GiB)').fill('50');
    await add.getByLabel('OpenClaw version').fill('2026.9.6');
    await add.getByRole('button', { name: 'Add profile' }).click();
    await add.getByText('must be below the memory limit (8192 MiB)').first().waitFor();
    await add.getByLabel('V8 heap cap (MiB)').fill('6144');
    await add.getByRole('button', { name: 'Add profile' }).click();
    await admin.getByText('Profile large added.').waitFor();

    await add.getByLabel('Name', { exact: true }).fill('team');
    await add.getByLabel('Display name').fill('Team only');
    await add.getByLabel('Available to everyone').uncheck();
    await add.getByLabel('Allowed users').fill('bob');
    await add.getByLabel('Host terminal in the Control UI').check();
    await add.getByRole('button', { name: 'Add profile' }).click();
    await admin.getByText('Profile team added.').waitFor();
    const team = admin.locator('section.card', { has: admin.getByText('Team only') });
    await team.getByText('restricted').waitFor();
    await team.getByText('bob', { exact: true }).waitFor();

    const large = admin.locator('section.card', {
      has: admin.getByRole('heading', { name: /Large/ }),
    });
    await large.getByRole('button', { name: 'Edit profile large' }).click();
    await large.getByLabel('Idle stop (minutes)').fill('45');
    await large.getByRole('button', { name: 'Save profile' }).click();
    await admin.getByText(/Profile large saved/).waitFor();
    await large.getByText('after 45 min').waitFor();
    await shoot(admin, 'admin-profiles');

    await team.getByRole('button', { name: 'Delete profile team' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Delete profile' }).click();
    await admin.getByText('Profile team deleted.').waitFor();
    await team.waitFor({ state: 'detached' });
  });

  it('a user chooses a profile; a start over the limit is refused in words, then works', async () => {
    await signIn(user, 'alice');
    const chooser = user.getByLabel('Profile');
    await chooser.waitFor();
    const options = await chooser.locator('option').allTextContents();
    expect(options.map((o) => o.split(' — ')[0])).toEqual(['Default', 'Large']);
    await chooser.selectOption('large');
    await user.getByText('For long agent sessions with big repositories.').waitFor();
    await user.getByRole('button', { name: 'Start my runtime' }).click();
    await user
      .getByRole('alert')
      .getByText('This ClawLoops runs at most 1 runtime at once, and 1 is running.', {
        exact: false,
      })
      .waitFor();
    await shoot(user, 'runtime-limit-refused');
    expect(
      await sql(web.asTestServer, 'select id from runtimes where owner_id = ?', [alice.id]),
    ).toEqual([]);

    const [bobs] = await sql(
      web.asTestServer,
      `select id from runtimes where desired_state = 'running'`,
    );
    const stop = `mutation($id: ID!) { stopRuntime(id: $id) { __typename } }`;
    const id = Buffer.from(`Runtime:${bobs?.id}`).toString('base64');
    await gql(`${web.local}/graphql`, stop, { id }, { cookie: bobCookie });
    await user.getByRole('button', { name: 'Start my runtime' }).click();
    await user.getByText('Pending').first().waitFor();
    const [mine] = await sql(web.asTestServer, 'select profile from runtimes where owner_id = ?', [
      alice.id,
    ]);
    expect(mine).toEqual({ profile: 'large' });
  });
});
