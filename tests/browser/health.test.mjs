// End to end: the health page's live charts against a real `wharf up` stack
// (signed webhooks make the ingest figure move; a bad signature trips the
// stack's alert rule), the keyboard in dialogs (Escape closes them and
// focus goes back to what opened them), and a rule's business hours and
// canned bot replies edited in the rules editor. Screenshots go to
// tests/browser/artifacts/ (gitignored).
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
const CHARTS = ['ingest', 'ack', 'lag', 'success', 'dlq'];

let stack;
let browser;

async function signedIn(viewport) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT);
  const page = await context.newPage();
  await page.goto(stack.adminUrl);
  await page.getByRole('tab', { name: 'API token' }).click();
  await page.getByLabel('API token').fill(stack.credentials.admin_token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

/** The focused element's accessible-ish name: its text or aria-label. */
function focusedName(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return el ? (el.getAttribute('aria-label') ?? el.textContent ?? '').trim() : '';
  });
}

async function chartsDrawn(page) {
  for (const id of CHARTS) {
    const canvas = page.getByTestId(`chart-${id}`).locator('canvas');
    await canvas.first().waitFor();
    const box = await canvas.first().boundingBox();
    assert.ok(box && box.width > 150 && box.height > 100, `chart ${id} has a drawn canvas (${JSON.stringify(box)})`);
  }
}

describe('health page, dialogs and the rule editor against a real stack', { timeout: 240_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
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

  test('the health page charts live ingest, backlog and alerts', async () => {
    const page = await signedIn(DESKTOP);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Health' }).click();
    await page.getByRole('heading', { name: 'Health', exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/health');
    await chartsDrawn(page);
    await page.getByRole('status').filter({ hasText: /^Live · updated/ }).waitFor();

    // Nothing sent yet: no ingest in the window.
    const ingest = page.getByTestId('figure-ingest').locator('.card-value');
    await eventually('a first ingest figure', WAIT, async () => /^0\/s$/.test(await ingest.innerText()));

    for (let i = 0; i < 4; i++) {
      await sendCustomerMessage(stack, { from: `49151000077${i}`, name: `Health ${i}`, text: `Health probe ${i}` });
    }
    const figure = await eventually('a non-zero ingest figure', WAIT, async () => {
      const text = await ingest.innerText();
      const v = Number.parseFloat(text);
      return v > 0 ? text : null;
    });
    assert.match(figure, /^\d+(\.\d+)?\/s$/);
    assert.match(await page.getByTestId('figure-ingest').locator('.card-sub').innerText(), /^[1-9]\d* webhooks in 30 s$/);
    // The edges acked them: a mean ack latency in ms.
    await eventually('an ack latency', WAIT, async () => /\d ms$/.test(await page.getByTestId('figure-ack').locator('.card-value').innerText()));
    const points = Number(await page.getByTestId('chart-ingest').getAttribute('data-points'));
    assert.ok(points >= 1, `the ingest chart has points (${points})`);
    // The backlog per partition lists the router's consumers.
    const backlog = page.getByRole('region', { name: 'Backlog per consumer' });
    await backlog.getByRole('cell', { name: /^router-p0$/ }).waitFor();

    // A bad signature trips the stack's alert rule: shown on the page too.
    const alerts = page.getByTestId('health-alerts');
    await alerts.getByText(/^Nothing firing/).waitFor();
    await sendBadSignature(stack);
    await alerts.getByText(/webhooks refused at the edges/).waitFor({ timeout: 60_000 });
    await chartsDrawn(page);
    await shot(page, 'health-1280');

    const phone = await signedIn(PHONE);
    await phone.goto(`${stack.adminUrl}/health`);
    await phone.getByRole('heading', { name: 'Health', exact: true }).waitFor();
    await chartsDrawn(phone);
    // This page's window starts now: one more webhook to see.
    await sendCustomerMessage(stack, { from: '491510000780', name: 'Health phone', text: 'Health probe on a phone' });
    await eventually('ingest on the phone', WAIT, async () => Number.parseFloat(await phone.getByTestId('figure-ingest').locator('.card-value').innerText()) > 0);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(overflow <= PHONE.width, `no sideways scrolling at 390 px (${overflow})`);
    const canvas = await phone.getByTestId('chart-lag').locator('canvas').first().boundingBox();
    assert.ok(canvas.width <= PHONE.width, `a chart fits the phone (${canvas.width})`);
    await shot(phone, 'health-390');
  });

  test('Escape closes dialogs and focus returns to their opener', async () => {
    const page = await signedIn(DESKTOP);
    // An inline editor: focus moves in, Escape closes it, focus returns.
    await page.goto(`${stack.adminUrl}/rules`);
    const newRule = page.getByRole('button', { name: 'New rule' });
    await newRule.click();
    const editor = page.getByRole('form', { name: 'New rule' });
    await editor.waitFor();
    assert.ok(await editor.evaluate((f) => f.contains(document.activeElement)), 'focus moved into the editor');
    await page.keyboard.press('Escape');
    await editor.waitFor({ state: 'detached' });
    assert.ok(await newRule.evaluate((b) => b === document.activeElement), 'focus is back on “New rule”');

    // A modal question: focus moves in, Tab stays inside, Escape cancels.
    await page.goto(`${stack.adminUrl}/tokens`);
    const name = 'escape-probe';
    await page.getByLabel('Token name').fill(name);
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId(`token-${name}`).waitFor();
    const revoke = page.getByRole('button', { name: `Revoke ${name}` });
    await revoke.click();
    const dialog = page.getByRole('alertdialog', { name: 'Confirm revocation' });
    await dialog.waitFor();
    assert.equal(await focusedName(page), 'Cancel', 'the safe choice has focus');
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), `Tab ${i + 1} stays in the dialog`);
    }
    await page.keyboard.press('Shift+Tab');
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)), 'Shift+Tab stays in the dialog');
    await shot(page, 'confirm-dialog-1280');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.ok(await revoke.evaluate((b) => b === document.activeElement), 'focus is back on the Revoke button');
    // Cancelled: the token is still there.
    assert.equal(await page.getByTestId(`token-${name}`).count(), 1);
    // Confirmed: the row and its button go; focus lands on the heading.
    await revoke.click();
    await dialog.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByTestId(`token-${name}`).waitFor({ state: 'detached' });
    await eventually('focus on the heading', WAIT, () => page.evaluate(() => document.activeElement?.textContent === 'API tokens'));
  });

  test('a rule\'s business hours and canned bot replies are edited in the rules editor', async () => {
    const page = await signedIn(DESKTOP);
    await page.goto(`${stack.adminUrl}/rules`);
    await page.getByRole('button', { name: 'New rule' }).click();
    const editor = page.getByRole('form', { name: 'New rule' });
    const name = 'Night bot';
    await editor.getByLabel('Rule name').fill(name);
    // Disabled: it must not route the other tests' messages.
    await editor.getByLabel('Enabled').uncheck();
    await editor.getByLabel('Only at certain hours').check();
    await editor.getByLabel('Time zone').fill('Europe/Lisbon');
    await editor.locator('#rule-form-hoursFrom').fill('22:00');
    await editor.locator('#rule-form-hoursTo').fill('06:00');
    await editor.getByLabel('Mon', { exact: true }).check();
    await editor.getByLabel('Fri', { exact: true }).check();
    await editor.getByRole('radio', { name: 'Answer with the bot' }).check();
    const replies = [['price', 'Plans start at 10 € a month.'], ['hours', 'We answer from 8 to 22.']];
    for (const [i, [keyword, text]] of replies.entries()) {
      await editor.getByRole('button', { name: 'Add a canned reply' }).click();
      assert.ok(await editor.getByLabel(`Keyword ${i + 1}`, { exact: true }).evaluate((el) => el === document.activeElement), 'the new row has focus');
      await editor.getByLabel(`Keyword ${i + 1}`, { exact: true }).fill(keyword);
      await editor.getByLabel(`Reply ${i + 1}`, { exact: true }).fill(text);
    }
    await editor.getByLabel('Fallback reply').fill('An agent will answer in the morning.');
    await shot(page, 'rule-editor-1280');
    await editor.getByRole('button', { name: 'Create rule' }).click();
    await page.getByRole('status').filter({ hasText: `Rule “${name}” was created` }).waitFor();

    const stored = async () => {
      const res = await fetch(`${stack.adminUrl}/api/v1/rules`, { headers: { authorization: `Bearer ${stack.credentials.admin_token}` } });
      assert.equal(res.status, 200);
      return (await res.json()).find((r) => r.name === name);
    };
    let saved = await stored();
    assert.equal(saved.enabled, false);
    assert.deepEqual(saved.conditions.hours, { time_zone: 'Europe/Lisbon', days: [1, 5], from: '22:00', to: '06:00', inside: true });
    assert.deepEqual(saved.action.bot.replies, replies.map(([keyword, text]) => ({ keyword, text })));
    assert.equal(saved.action.bot.fallback, 'An agent will answer in the morning.');

    // Edit: the form shows what is stored; a half-filled reply is refused.
    await page.getByRole('button', { name: `Edit ${name}` }).click();
    const edit = page.getByRole('form', { name: `Edit rule ${name}` });
    assert.equal(await edit.getByLabel('Time zone').inputValue(), 'Europe/Lisbon');
    assert.equal(await edit.getByLabel('Keyword 2', { exact: true }).inputValue(), 'hours');
    await edit.getByRole('button', { name: 'Remove canned reply 1' }).click();
    await edit.getByRole('button', { name: 'Add a canned reply' }).click();
    await edit.getByLabel('Keyword 2', { exact: true }).fill('refund');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await edit.getByRole('alert').filter({ hasText: 'Each canned reply needs a keyword and a text.' }).waitFor();
    await edit.getByLabel('Reply 2', { exact: true }).fill('Refunds take 5 days.');
    await edit.locator('#rule-form-hoursInside').selectOption('outside');
    await edit.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('status').filter({ hasText: `Rule “${name}” was saved` }).waitFor();
    saved = await stored();
    assert.deepEqual(saved.action.bot.replies, [{ keyword: 'hours', text: 'We answer from 8 to 22.' }, { keyword: 'refund', text: 'Refunds take 5 days.' }]);
    assert.equal(saved.conditions.hours.inside, false);

    // Hours switched off are removed.
    await page.getByRole('button', { name: `Edit ${name}` }).click();
    await page.getByRole('form', { name: `Edit rule ${name}` }).getByLabel('Only at certain hours').uncheck();
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('status').filter({ hasText: `Rule “${name}” was saved` }).waitFor();
    assert.equal((await stored()).conditions.hours, undefined);
  });
});
