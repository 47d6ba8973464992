// Accessibility: axe-core (web/'s pinned dev dependency) run in Debian's
// Chromium on the workplace's pages against a real `wharf up` stack (the
// inbox, an open conversation with the template picker, and the agents,
// numbers, rules, campaigns and reports pages), at a desktop and a phone
// width. A `serious` or `critical` violation fails the test, named with
// the offending elements.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO, adminApi, adminPage, eventually, sendCustomerMessage, startStackAndBrowser } from './stack.mjs';

const require = createRequire(join(REPO, 'web', 'package.json'));
const AXE = require.resolve('axe-core/axe.min.js');
const WAIT = 30_000;
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const RUN = Date.now() % 100000;

let stack;
let browser;
let conversationId;

/** The serious and critical violations axe finds on the page as it is, one line each. */
async function violations(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(', ')}`);
}

const PAGES = [
  ['the inbox', '/', 'Inbox'],
  ['a conversation', () => `/conversations/${conversationId}`, null],
  ['agents', '/agents', 'Agents'],
  ['numbers', '/numbers', 'Business numbers'],
  ['rules', '/rules', 'Routing rules'],
  ['campaigns', '/campaigns', 'Campaigns'],
  ['reports', '/reports', 'Reports'],
];

describe('accessibility (axe-core) against a real stack', { timeout: 300_000 }, () => {
  before(async () => {
    ({ stack, browser } = await startStackAndBrowser());
    // One conversation outside the 24 h window (the picker shows), one inside.
    const name = `Ada Access ${RUN}`;
    await sendCustomerMessage(stack, { from: `3519${RUN}101`, name, text: 'Can you read this?', ts: Math.floor(Date.now() / 1000) - 30 * 3600 });
    await sendCustomerMessage(stack, { from: `3519${RUN}102`, name: `Ben Access ${RUN}`, text: 'Hello' });
    conversationId = await eventually('the conversation', WAIT, async () =>
      (await adminApi(stack, 'GET', `/api/v1/conversations?q=${encodeURIComponent(name)}`)).items[0]?.id);
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    test(`no serious or critical violation on the workplace's pages (${size}, ${viewport.width} px)`, async () => {
      // The dashboard's CSP allows no inline script: axe is added past it.
      const page = await adminPage(browser, stack, viewport, WAIT, { bypassCSP: true });
      const found = [];
      for (const [what, path, heading] of PAGES) {
        await page.goto(`${stack.adminUrl}${typeof path === 'function' ? path() : path}`);
        if (heading) await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
        else await page.getByTestId('template-picker').or(page.getByTestId('template-manual')).waitFor();
        // Let the page's loads settle (no skeletons left).
        await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'), null, { timeout: WAIT });
        for (const v of await violations(page)) found.push(`${what}: ${v}`);
      }
      assert.deepEqual(found, [], `axe found:\n${found.join('\n')}`);
      await page.context().close();
    });
  }
});
