// End to end: the dashboard in Debian's Chromium (playwright-core) against a
// real `wharf up` stack. Live updates arrive over the SSE stream
// (/api/v1/events); the tests check the live badge says so and that the page
// never reloads. Screenshots go to tests/browser/artifacts/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO, eventually, sendBadSignature, sendCustomerMessage, startStack } from './stack.mjs';

const require = createRequire(join(REPO, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');
const WAIT = 30_000; // generous: a loaded 2-core machine
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

let stack;
let browser;

async function newPage(viewport) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

async function logInWithPassword(page) {
  await page.goto(stack.adminUrl);
  await page.getByLabel('Email').fill(stack.credentials.admin_email);
  await page.getByLabel('Password').fill(stack.credentials.admin_password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
}

async function logInWithToken(page) {
  await page.goto(stack.adminUrl);
  await page.getByRole('tab', { name: 'API token' }).click();
  await page.getByLabel('API token').fill(stack.credentials.admin_token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
}

describe('dashboard against a real stack', { timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // Start both at once; keep whichever started so `after` can stop it.
    const [s, b] = await Promise.allSettled([
      startStack(),
      chromium.launch({
        executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    if (s.status === 'fulfilled') stack = s.value;
    if (b.status === 'fulfilled') browser = b.value;
    if (s.status === 'rejected') throw s.reason;
    if (b.status === 'rejected') throw b.reason;
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('a wrong password is refused with a message', async () => {
    const page = await newPage(DESKTOP);
    await page.goto(stack.adminUrl);
    await shot(page, 'login-1280');
    await page.getByLabel('Email').fill(stack.credentials.admin_email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Inbox', exact: true }).count(), 0);
    await page.context().close();
  });

  test('a customer message appears live in the inbox, and a reply gets its delivered tick', async () => {
    const page = await newPage(DESKTOP);
    await logInWithPassword(page);
    // Live over SSE: the badge says so once the event stream is open.
    await page.locator('[data-testid="live-state"][data-state="live"]').waitFor();
    // A marker on the window survives live updates, but not a reload.
    const noReload = async (what) =>
      assert.equal(await page.evaluate(() => window.__wharfMarker), 'set', `${what} reloaded instead of updating live`);
    await page.evaluate(() => { window.__wharfMarker = 'set'; });

    const name = `Ana Live ${Date.now() % 100000}`;
    await sendCustomerMessage(stack, { from: '4915112345678', name, text: 'Hello, my order is late' });
    const item = page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(name) });
    await item.waitFor();
    await noReload('the inbox');
    await shot(page, 'inbox-1280');

    await item.click();
    await page.getByRole('heading', { name }).waitFor();
    await page.getByTestId('timeline').getByText('Hello, my order is late').waitFor();
    assert.match(await page.getByTestId('window-state').innerText(), /window open/);

    await page.getByRole('textbox', { name: 'Write a reply' }).fill('Sorry about that, it ships today.');
    await page.getByRole('textbox', { name: 'Write a reply' }).press('Control+Enter');
    const reply = page.locator('.bubble.out', { hasText: 'Sorry about that, it ships today.' });
    await reply.waitFor();
    // The sandbox provider answers with sent, delivered and read status webhooks.
    await page.locator('.bubble.out[data-status="delivered"], .bubble.out[data-status="read"]', { hasText: 'ships today' }).waitFor();
    await shot(page, 'conversation-1280');

    // A second customer message while the conversation is open appears in it live.
    await sendCustomerMessage(stack, { from: '4915112345678', name, text: 'Great, thanks!' });
    await page.getByTestId('timeline').getByText('Great, thanks!').waitFor();
    await noReload('the conversation');
    await page.context().close();
  });

  test('a claim lost to another session says someone else got there first; resolve and reopen', async () => {
    const name = `Bruno Claim ${Date.now() % 100000}`;
    await sendCustomerMessage(stack, { from: '5511999990000', name, text: 'Can someone help me?' });
    const page = await newPage(DESKTOP);
    await logInWithPassword(page);
    await page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(name) }).click();
    await page.getByRole('heading', { name }).waitFor();
    const url = page.url();

    // The other session keeps a stale copy: no live events, no reloads of the conversation.
    const other = await newPage(DESKTOP);
    await other.route('**/api/v1/events**', (r) => r.abort());
    let detailLoads = 0;
    await other.route(/\/api\/v1\/conversations\/\d+$/, (r) =>
      r.request().method() === 'GET' && detailLoads++ > 0 ? r.abort() : r.continue());
    await logInWithPassword(other);
    await other.goto(url);
    await other.getByRole('heading', { name }).waitFor();

    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByTestId('conversation-status').filter({ hasText: 'Assigned' }).waitFor();
    await other.getByRole('button', { name: 'Claim', exact: true }).click();
    await other.getByTestId('action-notice').filter({ hasText: /someone else got there first/i }).waitFor();
    await shot(other, 'claim-conflict-1280');
    await other.context().close();

    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.getByTestId('conversation-status').filter({ hasText: 'Resolved' }).waitFor();
    await page.getByRole('button', { name: 'Reopen', exact: true }).click();
    await page.getByRole('button', { name: 'Reopen', exact: true }).waitFor({ state: 'detached' });
    await page.context().close();
  });

  test('an integrator token signs in; inbox, conversation and system pages fit a 390 px phone', async () => {
    const page = await newPage(PHONE);
    await logInWithToken(page);
    const first = page.getByTestId('conversation-list').getByRole('link').first();
    await first.waitFor();
    await shot(page, 'inbox-390');
    await first.click();
    await page.getByTestId('timeline').waitFor();
    // On a phone the list gives way to the conversation, with a way back.
    assert.equal(await page.getByTestId('conversation-list').isVisible(), false);
    await shot(page, 'conversation-390');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await page.getByRole('button', { name: 'Back to inbox' }).click();
    await page.getByTestId('conversation-list').waitFor();

    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'Business numbers' }).waitFor();
    await page.getByText('Connected').first().waitFor();
    await shot(page, 'system-390');
    await page.setViewportSize(DESKTOP);
    await shot(page, 'system-1280');
    await page.getByRole('link', { name: 'DLQ' }).click();
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await page.getByText(/No dead letters match|matching/).first().waitFor();
    // Bulk replay asks with the dry-run count first.
    await page.getByRole('button', { name: /Replay all pending matching/ }).click();
    await page.getByRole('alertdialog', { name: 'Confirm bulk replay' }).waitFor();
    await shot(page, 'dlq-1280');
    // Secrets are never rendered: not the app secret, not the tokens.
    const text = await page.locator('body').innerText();
    for (const secret of [stack.credentials.app_secret, stack.credentials.admin_token, stack.credentials.verify_token]) {
      assert.ok(!text.includes(secret), 'a secret was rendered');
    }
    await page.context().close();
  });

  test('a firing alert shows in the banner on every page, and fits a 390 px phone', async () => {
    const page = await newPage(DESKTOP);
    await logInWithPassword(page);
    assert.equal(await page.getByTestId('alerts-banner').count(), 0, 'no banner while all is quiet');
    await sendBadSignature(stack);
    // The banner refreshes every 15 s; a reload shows it at once when it fires.
    const banner = page.getByTestId('alerts-banner');
    await eventually('the alert banner', WAIT, async () => {
      await page.reload();
      await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
      return (await banner.count()) > 0;
    });
    assert.match(await banner.innerText(), /1 alert firing[\s\S]*webhooks refused at the edges within 600 s: 1 /);
    await shot(page, 'alerts-banner-1280');
    await page.getByRole('link', { name: 'System' }).click();
    await page.getByRole('heading', { name: 'Business numbers' }).waitFor();
    await banner.waitFor();
    await page.setViewportSize(PHONE);
    await shot(page, 'alerts-banner-390');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await page.context().close();
  });
});
