// End to end: the agent's workplace (issue 28): the reply box's template
// picker outside the 24 h window (catalog from signed template webhooks,
// live preview, send, the server's 422), the unread count in the tab's
// title, browser notifications on a new customer message while the tab is
// hidden, and the saved default view restored at sign-in; in Debian's
// Chromium against a real `wharf up` stack.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminApi, approveTemplate, eventually, postSigned, sendCustomerMessage, signIn, startStackAndBrowser } from './stack.mjs';

const WAIT = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const RUN = Date.now() % 100000;

let stack;
let browser;

async function newContext() {
  const context = await browser.newContext({ viewport: DESKTOP });
  context.setDefaultTimeout(WAIT);
  return context;
}

const logIn = (page) => signIn(page, stack);

const api = (method, path, body) => adminApi(stack, method, path, body);
const item = (page, name) => page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(name) });

/** The business account the stack's number learnt from its first webhook. */
async function waba() {
  return eventually('the number to know its account', WAIT, async () =>
    (await api('GET', '/api/v1/numbers')).find((n) => n.phone_number_id === stack.credentials.phone_number_id)?.waba_id);
}

/** The count in the tab's title ("(3) Wharf" is 3, "Wharf" 0). */
async function titleCount(page) {
  const m = /^\((\d+)\) Wharf$/.exec(await page.title());
  return m ? Number(m[1]) : (await page.title()) === 'Wharf' ? 0 : NaN;
}

describe('the agent\'s attention against a real stack', { timeout: 300_000 }, () => {
  before(async () => {
    ({ stack, browser } = await startStackAndBrowser());
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('window closed: the picker opens, a template is chosen, its parameters filled, sent as a template; a 422 is shown', async () => {
    const name = `Wendy Window ${RUN}`;
    // The customer's last message is 26 hours old: the window is closed.
    await sendCustomerMessage(stack, { from: `3519${RUN}001`, name, text: 'Any news on my order?', ts: Math.floor(Date.now() / 1000) - 26 * 3600 });
    const account = await waba();
    const template = `order_shipped_${RUN}`;
    await approveTemplate(stack, { waba: account, name: template, language: 'en', body: 'Hi {{1}}, your order {{2}} ships today.' });
    await approveTemplate(stack, { waba: account, name: `welcome_${RUN}`, language: 'de', category: 'MARKETING', body: 'Willkommen!' });

    const context = await newContext();
    const page = await context.newPage();
    await logIn(page);
    await item(page, name).click();
    await page.getByRole('heading', { name }).waitFor();
    assert.match(await page.getByTestId('window-state').innerText(), /window closed/);

    // Opened by itself; the search narrows the list.
    const picker = page.getByTestId('template-picker');
    await picker.waitFor();
    await picker.getByTestId(`pick-welcome_${RUN}-de`).waitFor();
    await picker.getByLabel('Search templates').fill('ships');
    await picker.getByTestId(`pick-welcome_${RUN}-de`).waitFor({ state: 'detached' });
    const option = picker.getByTestId(`pick-${template}-en`);
    assert.match(await option.innerText(), /UTILITY/);
    await option.click();

    // One field per placeholder, the preview filled live, send only when all are filled.
    const send = page.getByRole('button', { name: 'Send template' });
    const preview = page.getByTestId('template-preview');
    assert.equal(await preview.innerText(), 'Hi {{1}}, your order {{2}} ships today.');
    assert.equal(await send.isDisabled(), true);
    await page.getByLabel('Parameter {{1}}').fill('Wendy');
    assert.equal(await preview.innerText(), 'Hi Wendy, your order {{2}} ships today.');
    assert.equal(await send.isDisabled(), true);
    await page.getByLabel('Parameter {{2}}').fill('A-17');
    assert.equal(await preview.innerText(), 'Hi Wendy, your order A-17 ships today.');
    await send.click();

    // The bubble is a template message, and the API stored its parameters.
    const bubble = page.getByTestId('timeline').locator('li.bubble.out[data-kind="template"]');
    await bubble.waitFor();
    assert.match(await bubble.innerText(), new RegExp(template));
    const conversation = (await api('GET', `/api/v1/conversations?q=${encodeURIComponent(name)}`)).items[0];
    const detail = await api('GET', `/api/v1/conversations/${conversation.id}`);
    const sent = detail.messages.find((m) => m.kind === 'template');
    assert.ok(sent, 'no template message stored');
    assert.equal(sent.body, template);

    // Paused after the agent chose it: the server's 422 is shown.
    await picker.getByTestId(`pick-${template}-en`).click();
    await page.getByLabel('Parameter {{1}}').fill('Wendy');
    await page.getByLabel('Parameter {{2}}').fill('A-18');
    await postSigned(stack, JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: account, time: Math.floor(Date.now() / 1000), changes: [{ field: 'message_template_status_update',
        value: { message_template_id: 1, message_template_name: template, message_template_language: 'en', event: 'PAUSED', reason: 'NONE' } }] }],
    }));
    await eventually('the template paused', WAIT, async () =>
      (await api('GET', '/api/v1/templates?status=PAUSED')).some((t) => t.name === template));
    await page.getByRole('button', { name: 'Send template' }).click();
    const refusal = page.getByRole('form', { name: 'Reply' }).getByRole('alert');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /PAUSED|not approved/i);
    // The catalog was read again: the paused template is dropped and no longer offered.
    await picker.getByTestId(`pick-welcome_${RUN}-de`).waitFor();
    assert.equal(await picker.getByTestId(`pick-${template}-en`).count(), 0);
    await context.close();
  });

  test('a new customer message: the title counts it; a notification while the tab is hidden, its click opens the conversation', async () => {
    const context = await newContext();
    await context.grantPermissions(['notifications'], { origin: stack.adminUrl });
    // Record the page's calls of the real Notification and AudioContext
    // APIs, and let the test hide the tab (headless tabs are always visible).
    await context.addInitScript(() => {
      const Real = window.Notification;
      window.__notes = [];
      window.Notification = class extends Real {
        constructor(title, options) { super(title, options); window.__notes.push({ title, body: options?.body, note: this }); }
      };
      window.__beeps = 0;
      const osc = AudioContext.prototype.createOscillator;
      AudioContext.prototype.createOscillator = function () { window.__beeps++; return osc.call(this); };
      window.__hidden = false;
      Object.defineProperty(Document.prototype, 'visibilityState', { get: () => (window.__hidden ? 'hidden' : 'visible') });
    });
    const page = await context.newPage();
    await logIn(page);
    await page.getByTestId('live-state').and(page.locator('[data-state="live"]')).waitFor();
    await eventually('the title', WAIT, async () => !Number.isNaN(await titleCount(page)));
    const before = await titleCount(page);

    // Settings: off by default; sound and notifications turned on (kept over a reload).
    await page.getByRole('button', { name: 'Notification settings' }).click();
    const menu = page.getByTestId('notify-menu');
    const sound = menu.getByLabel('Sound on a new customer message');
    const desktop = menu.getByLabel('Browser notifications while this tab is hidden');
    assert.equal(await sound.isChecked(), false);
    assert.equal(await desktop.isChecked(), false);
    await sound.check();
    await desktop.check();
    await page.reload();
    await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
    await page.getByTestId('live-state').and(page.locator('[data-state="live"]')).waitFor();
    await page.getByRole('button', { name: 'Notification settings' }).click();
    assert.equal(await menu.getByLabel('Sound on a new customer message').isChecked(), true);
    assert.equal(await menu.getByLabel('Browser notifications while this tab is hidden').isChecked(), true);
    await page.getByRole('button', { name: 'Notification settings' }).click();

    // Visible tab: the title counts the message, a beep, no notification.
    const first = `Nora Notify ${RUN}`;
    await sendCustomerMessage(stack, { from: `3519${RUN}002`, name: first, text: 'Hello there' });
    await item(page, first).waitFor();
    await eventually('the title to count the new message', WAIT, async () => (await titleCount(page)) === before + 1);
    await eventually('a beep', WAIT, async () => (await page.evaluate(() => window.__beeps)) > 0);
    assert.equal(await page.evaluate(() => window.__notes.length), 0);

    // Hidden tab: a notification naming the customer; its click opens the conversation.
    await page.evaluate(() => { window.__hidden = true; });
    const second = `Hector Hidden ${RUN}`;
    await sendCustomerMessage(stack, { from: `3519${RUN}003`, name: second, text: 'Is anyone there?' });
    await eventually('a notification', WAIT, async () => (await page.evaluate(() => window.__notes.length)) > 0);
    const notes = await page.evaluate(() => window.__notes.map(({ title, body }) => ({ title, body })));
    assert.deepEqual(notes, [{ title: `New message from ${second}`, body: 'Is anyone there?' }]);
    assert.equal(await titleCount(page), before + 2);
    await page.evaluate(() => window.__notes[0].note.onclick(new Event('click')));
    await page.getByRole('heading', { name: second }).waitFor();
    assert.match(page.url(), /\/conversations\/\d+/);
    // Opened: its message is read, the title counts one less.
    await eventually('the title to drop the read message', WAIT, async () => (await titleCount(page)) === before + 1);
    await context.close();
  });

  test('the inbox\'s filters and order saved as the default view come back at the next sign-in', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await logIn(page);
    await page.getByLabel('Status', { exact: true }).selectOption('queued');
    await page.getByLabel('Order').selectOption('waiting');
    await page.getByRole('button', { name: 'Save as my default view' }).click();
    await page.getByTestId('default-view-note').filter({ hasText: /Saved/ }).waitFor();

    // Sign out and in again: the inbox opens on the saved view.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();
    await logIn(page);
    assert.match(page.url(), /\/\?status=queued&sort=waiting$/);
    assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), 'queued');
    assert.equal(await page.getByLabel('Order').inputValue(), 'waiting');

    // Forgotten: the next sign-in opens the whole inbox.
    await page.getByRole('button', { name: 'Forget my default' }).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await logIn(page);
    assert.match(page.url(), /\/$/);
    assert.equal(await page.getByLabel('Status', { exact: true }).inputValue(), '');
    await context.close();
  });
});
