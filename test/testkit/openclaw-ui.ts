import type { Page } from 'playwright-core';

/**
 * Asserts a browser page is OpenClaw's Control UI and got past device pairing. The first HTML is
 * titled "OpenClaw Control"; once the UI connects it either routes on (e.g. "Model Setup — OpenClaw")
 * or, if the gateway did not pair this browser, shows "Approve this browser" — the failure we test for.
 */
export async function expectControlUiPastPairing(page: Page): Promise<void> {
  const title = await page.title();
  if (!/OpenClaw/.test(title)) throw new Error(`not the OpenClaw Control UI: title "${title}"`);
  await page
    .waitForFunction(
      () =>
        document.title !== 'OpenClaw Control' ||
        document.body.innerText.includes('Approve this browser'),
      undefined,
      { timeout: 15_000 },
    )
    .catch(() => {}); // still on the first view: not the pairing screen either
  const text = await page.evaluate(() => document.body.innerText);
  if (text.includes('Approve this browser'))
    throw new Error('the gateway asked to pair this browser');
}
