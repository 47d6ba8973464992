// End to end: what the provider protocol of 2026 brings to the dashboard,
// in Debian's Chromium (playwright-core) against a real `wharf up` stack.
// Signed Meta deliveries, built from the conformance corpus
// (tests/fixtures/conformance/meta/*.json, fresh ids and times each run),
// are posted to the edge: a location, a reaction (and its removal), an edit,
// a revoke, a username user without phone number, an account ban and a
// template approval. The browser must show coordinates with a map link, the
// reaction on its message (no bubble of its own), "edited" and "deleted"
// marks, a phone-app echo, a quote, an unknown type, a system line, the
// username, the number's "banned" badge and the template catalog (filters,
// sync from the sandbox's listing, and a sync error).
// Screenshots go to tests/browser/artifacts/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomInt } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { eventually, REPO, startStack } from './stack.mjs';

const require = createRequire(join(REPO, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');
const FIXTURES = join(REPO, 'tests', 'fixtures', 'conformance', 'meta');
const WAIT = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const RUN = String(Date.now() % 100000).padStart(5, '0');
// The business account of the stack's number: learnt from the entry id of
// its first message webhook (every delivery here carries it).
const WABA = `1${String(randomInt(1e9)).padStart(9, '0')}${RUN}`;

let stack;
let browser;
let clock = Math.floor(Date.now() / 1000) - 3600;
let seq = 0;

/** Provider times one second apart, so the timeline's order is the posting order. */
const nextTimestamp = () => String(++clock);
const wamid = (what) => `wamid.browser.${RUN}.${what}.${++seq}`;
/** A phone number no other run or test uses. */
const customerPhone = (n) => `4916${RUN}${String(n).padStart(4, '0')}`;

async function newPage(viewport) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT);
  return context.newPage();
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

async function logIn(page) {
  await page.goto(stack.adminUrl);
  await page.getByLabel('Email').fill(stack.credentials.admin_email);
  await page.getByLabel('Password').fill(stack.credentials.admin_password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
}

async function go(page, link, heading) {
  // On a phone the navigation is folded behind the Menu button.
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible() && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
  await page.getByRole('heading', { name: heading, exact: true, level: 1 }).waitFor();
}

async function api(path) {
  const res = await fetch(`${stack.adminUrl}${path}`, { headers: { authorization: `Bearer ${stack.credentials.admin_token}` } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function patchNumber(id, body) {
  const res = await fetch(`${stack.adminUrl}/api/v1/numbers/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${stack.credentials.admin_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PATCH number ${id}: ${res.status} ${await res.text()}`);
}

/** A corpus delivery with this stack's number and business account. */
function fixture(name) {
  const text = readFileSync(join(FIXTURES, `${name}.json`), 'utf8')
    .replaceAll('{{PHONE_NUMBER_ID}}', stack.credentials.phone_number_id)
    .replaceAll('{{WABA_ID}}', WABA);
  return JSON.parse(text).delivery;
}

const valueOf = (delivery) => delivery.entry[0].changes[0].value;

/**
 * A customer's message from the corpus file `name`, sent by `from` (a
 * phone number) with a fresh id and time; `edit(message, contact)` changes
 * the rest.
 */
function customerMessage(name, { from, profileName, edit }) {
  const delivery = fixture(name);
  const value = valueOf(delivery);
  const message = value.messages[0];
  const contact = value.contacts?.[0] ?? null;
  message.id = wamid(name);
  message.timestamp = nextTimestamp();
  if (from) {
    message.from = from;
    // The BSUID that comes with every 2026 message: one per customer.
    message.from_user_id = bsuidOf(from);
    if (contact) Object.assign(contact, { wa_id: from, user_id: bsuidOf(from) });
  }
  if (profileName && contact) contact.profile.name = profileName;
  edit?.(message, contact);
  return { delivery, id: message.id };
}

/** The BSUID of the customer with phone number `from`, in these tests. */
const bsuidOf = (from) => `DE.9${from}`;

/** A message the business sent to `to` from the WhatsApp Business app (coexistence echo). */
function phoneAppEcho({ to, profileName, text }) {
  const delivery = fixture('smb_message_echoes_text');
  const value = valueOf(delivery);
  const echo = value.message_echoes[0];
  Object.assign(echo, { to, to_user_id: bsuidOf(to), id: wamid('echo'), timestamp: nextTimestamp(), text: { body: text } });
  Object.assign(value.contacts[0], { wa_id: to, user_id: bsuidOf(to), profile: { name: profileName } });
  return { delivery, id: echo.id };
}

function textMessage({ from, profileName, text, edit }) {
  return customerMessage('text', {
    from, profileName, edit: (m, c) => { m.text.body = text; edit?.(m, c); },
  });
}

/** Posts a signed delivery to the edge; anything but 200 (after start-up 503s) fails the test. */
async function post(delivery) {
  const body = JSON.stringify(delivery);
  const signature = `sha256=${createHmac('sha256', stack.credentials.app_secret).update(body).digest('hex')}`;
  await eventually('the edge to take the delivery', 60_000, async () => {
    const res = await fetch(`${stack.edgeUrl}/webhooks/meta`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature }, body,
    });
    if (res.status === 200) return true;
    if (res.status !== 503 && res.status !== 429) {
      throw Object.assign(new Error(`the edge answered ${res.status}: ${await res.text()}`), { fatal: true });
    }
    return false;
  });
}

/** The conversation of the customer keyed `waId`, once its message `id` is stored. */
async function stored(waId, id) {
  return eventually(`message ${id} stored`, WAIT, async () => {
    const list = await api('/api/v1/conversations?limit=200');
    const conv = list.items.find((c) => c.contact.wa_id === waId);
    if (!conv) return null;
    const detail = await api(`/api/v1/conversations/${conv.id}`);
    return detail.messages.some((m) => m.provider_message_id === id) ? detail : null;
  });
}

/** Opens a conversation and waits for its timeline. */
async function openConversation(page, id) {
  await page.goto(`${stack.adminUrl}/conversations/${id}`);
  await page.getByTestId('timeline').waitFor();
}

const bubbleOf = (page, providerId) => page.getByTestId('timeline').locator(`.bubble[data-provider-id="${providerId}"]`);

describe('provider protocol in the dashboard against a real stack', { timeout: 300_000 }, () => {
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

  test('a location shows its coordinates, name and address with an OpenStreetMap link', async () => {
    const from = customerPhone(1);
    const { delivery, id } = customerMessage('location', { from, profileName: `Hannah Location ${RUN}` });
    await post(delivery);
    const detail = await stored(from, id);
    assert.equal(detail.messages.find((m) => m.provider_message_id === id).kind, 'location');

    const page = await newPage(DESKTOP);
    await logIn(page);
    await page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(`Hannah Location ${RUN}`) }).click();
    const location = bubbleOf(page, id).getByTestId('location');
    await location.waitFor();
    assert.equal(await location.getByTestId('coordinates').innerText(), '52.521918, 13.413215');
    const text = await location.innerText();
    assert.match(text, /Filiale Alexanderplatz/);
    assert.match(text, /Alexanderplatz 1, 10178 Berlin/);
    const link = location.getByTestId('map-link');
    const href = await link.getAttribute('href');
    assert.ok(href.startsWith('https://www.openstreetmap.org/?mlat=52.521918&mlon=13.413215'), href);
    assert.equal(await link.getAttribute('target'), '_blank');
    await shot(page, 'location-1280');
    await page.context().close();
  });

  test('a reaction sits on the message it reacts to, not in a bubble of its own; taking it back removes it', async () => {
    const from = customerPhone(2);
    const name = `Laura Reaction ${RUN}`;
    const first = textMessage({ from, profileName: name, text: 'Is the parcel insured?' });
    const second = textMessage({ from, profileName: name, text: 'And can it go to a pickup point?' });
    await post(first.delivery);
    await post(second.delivery);
    const detail = await stored(from, second.id);

    const page = await newPage(DESKTOP);
    await logIn(page);
    await openConversation(page, detail.conversation.id);
    const target = bubbleOf(page, first.id);
    await target.getByText('Is the parcel insured?').waitFor();

    const reaction = customerMessage('reaction', { from, profileName: name, edit: (m) => { m.reaction = { message_id: first.id, emoji: '👍' }; } });
    await post(reaction.delivery);
    await target.getByTestId('reactions').getByText('👍').waitFor();
    const timeline = page.getByTestId('timeline');
    assert.equal(await timeline.locator('[data-kind="reaction"]').count(), 0, 'the reaction has a bubble of its own');
    assert.equal(await timeline.locator('.bubble').count(), 2, 'only the two texts are bubbles');
    assert.equal(await bubbleOf(page, second.id).getByTestId('reactions').count(), 0, 'the reaction shows on the wrong message');
    await shot(page, 'reaction-1280');

    // Meta sends a removed reaction without its emoji.
    const removal = customerMessage('reaction_removed', { from, profileName: name, edit: (m) => { m.reaction = { message_id: first.id }; } });
    await post(removal.delivery);
    await target.getByTestId('reactions').waitFor({ state: 'detached' });
    assert.equal(await timeline.locator('.bubble').count(), 2);
    assert.equal(await timeline.locator('[data-kind="reaction"]').count(), 0);
    await page.context().close();
  });

  test('an edited message shows its new text marked "edited"; the edit is no bubble of its own', async () => {
    const from = customerPhone(3);
    const name = `Leon Edit ${RUN}`;
    const original = textMessage({ from, profileName: name, text: 'Please deliver to Hauptstr. 5' });
    await post(original.delivery);
    const detail = await stored(from, original.id);

    const page = await newPage(DESKTOP);
    await logIn(page);
    await openConversation(page, detail.conversation.id);
    const target = bubbleOf(page, original.id);
    await target.getByText('Please deliver to Hauptstr. 5').waitFor();
    assert.equal(await target.getByTestId('edited-mark').count(), 0, 'marked edited before any edit');

    const edit = customerMessage('edit', {
      from, profileName: name,
      edit: (m) => {
        m.edit = { original_message_id: original.id, message: { context: { id: original.id }, type: 'text', text: { body: 'Please deliver to Hauptstr. 7' } } };
      },
    });
    await post(edit.delivery);
    await target.getByTestId('edited-mark').waitFor();
    await target.getByText('Please deliver to Hauptstr. 7').waitFor();
    const timeline = page.getByTestId('timeline');
    assert.equal(await timeline.getByText('Hauptstr. 5').count(), 0, 'the old text is still shown');
    assert.equal(await timeline.locator('[data-kind="edit"]').count(), 0, 'the edit has a bubble of its own');
    assert.equal(await timeline.locator('.bubble').count(), 1);
    await shot(page, 'edited-1280');
    await page.context().close();
  });

  test('a revoked message keeps its text, struck through and marked "deleted"; the revoke is no bubble', async () => {
    const from = customerPhone(4);
    const name = `Nele Revoke ${RUN}`;
    const original = textMessage({ from, profileName: name, text: 'Oops, this was for someone else' });
    await post(original.delivery);
    const detail = await stored(from, original.id);

    const page = await newPage(DESKTOP);
    await logIn(page);
    await openConversation(page, detail.conversation.id);
    const target = bubbleOf(page, original.id);
    await target.getByText('Oops, this was for someone else').waitFor();

    const revoke = customerMessage('revoke', { from, profileName: name, edit: (m) => { m.revoke = { original_message_id: original.id }; } });
    await post(revoke.delivery);
    await target.getByTestId('deleted-mark').waitFor();
    // Kept for audit, shown as deleted.
    const kept = target.locator('.deleted-text');
    assert.equal(await kept.innerText(), 'Oops, this was for someone else');
    assert.equal(await kept.evaluate((el) => getComputedStyle(el).textDecorationLine), 'line-through');
    const timeline = page.getByTestId('timeline');
    assert.equal(await timeline.locator('[data-kind="revoke"]').count(), 0, 'the revoke has a bubble of its own');
    assert.equal(await timeline.locator('.bubble').count(), 1);
    await shot(page, 'deleted-1280');
    await page.context().close();
  });

  test('a phone-app echo is marked, a reply quotes it, an unknown type says so, a system message is a system line', async () => {
    const from = customerPhone(7);
    const name = `Greta Mixed ${RUN}`;
    const question = textMessage({ from, profileName: name, text: 'Where is my parcel?' });
    await post(question.delivery);
    await stored(from, question.id);
    const echo = phoneAppEcho({ to: from, profileName: name, text: 'It ships today, sent from my phone' });
    await post(echo.delivery);
    await stored(from, echo.id);
    const answer = textMessage({ from, profileName: name, text: 'Thanks!', edit: (m) => { m.context = { from: '15550001065', id: echo.id }; } });
    const hologram = customerMessage('invented_hologram', { from, profileName: name });
    const system = customerMessage('system_user_changed_number', {
      from, edit: (m) => { m.system.body = `User ${name} changed from ${from} to 4917${RUN}99`; },
    });
    for (const d of [answer, hologram, system]) await post(d.delivery);
    const detail = await stored(from, system.id);
    assert.equal(detail.messages.find((m) => m.provider_message_id === hologram.id)?.kind, 'unknown');

    const page = await newPage(DESKTOP);
    await logIn(page);
    await openConversation(page, detail.conversation.id);
    const echoed = bubbleOf(page, echo.id);
    await echoed.getByText('It ships today, sent from my phone').waitFor();
    assert.match(await echoed.getAttribute('class'), /\bout\b/, 'the echo is not an outbound bubble');
    assert.equal(await echoed.getByTestId('phone-app-mark').innerText(), 'Sent from phone app');
    assert.equal(await bubbleOf(page, question.id).getByTestId('phone-app-mark').count(), 0);
    const quote = bubbleOf(page, answer.id).getByTestId('quote');
    assert.match(await quote.innerText(), /It ships today, sent from my phone/);
    assert.equal(await bubbleOf(page, hologram.id).getByTestId('unsupported').innerText(), 'Unsupported message type: hologram');
    const line = page.getByTestId('timeline').locator('.system-line', { hasText: `User ${name} changed from ${from}` });
    await line.waitFor();
    assert.equal(await page.getByTestId('timeline').locator('.bubble[data-kind="system"]').count(), 0);
    await shot(page, 'echo-quote-unknown-system-1280');
    await page.context().close();
  });

  test('a username user without phone number shows by username, with the BSUID labelled, never as a raw BSUID', async () => {
    const bsuid = `DE.15025${RUN}${String(randomInt(1e6)).padStart(6, '0')}`;
    const handle = `@kai_${RUN}`;
    const { delivery, id } = customerMessage('bsuid_username_only', {
      edit: (m, c) => {
        m.from_user_id = bsuid;
        c.user_id = bsuid;
        // No name either: the username is all the customer shows.
        c.profile = { username: handle };
        m.text.body = `Hi, writing with my username ${RUN}`;
      },
    });
    assert.equal(valueOf(delivery).messages[0].from, undefined, 'the corpus message has no phone number');
    assert.equal(valueOf(delivery).contacts[0].wa_id, undefined);
    await post(delivery);
    const detail = await stored(bsuid, id);
    assert.equal(detail.conversation.contact.username, handle, JSON.stringify(detail.conversation.contact));

    const page = await newPage(DESKTOP);
    await logIn(page);
    const item = page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(handle) });
    await item.waitFor();
    assert.equal(await item.locator('.conv-name').innerText(), handle);
    assert.ok(!(await item.innerText()).includes(bsuid), 'the list shows the raw BSUID although a username is known');
    await item.click();
    await page.getByRole('heading', { name: handle, exact: true }).waitFor();
    assert.match(await page.getByTestId('contact-ids').innerText(), new RegExp(`BSUID ${bsuid.replace('.', '\\.')}`));
    await page.getByTestId('timeline').getByText(`Hi, writing with my username ${RUN}`).waitFor();
    assert.equal(await page.getByTestId('customer-username').innerText(), handle);
    assert.equal(await page.getByTestId('customer-bsuid').innerText(), bsuid);
    assert.equal(await page.getByTestId('customer-phone').innerText(), 'not shared');
    await shot(page, 'username-1280');

    // At 390 px the list shows the username too.
    await page.setViewportSize(PHONE);
    await page.getByRole('button', { name: 'Back to inbox' }).click();
    await item.waitFor();
    assert.equal(await item.locator('.conv-name').innerText(), handle);
    await page.context().close();
  });

  test('an account ban shows the number\'s red "banned" badge with its time, and the event', async () => {
    // The number learns its business account from a message webhook first.
    const from = customerPhone(5);
    const hello = textMessage({ from, profileName: `Waba Teacher ${RUN}`, text: 'Hello' });
    await post(hello.delivery);
    await stored(from, hello.id);
    const number = await eventually('the number to learn its business account', WAIT, async () =>
      (await api('/api/v1/numbers')).find((n) => n.phone_number_id === stack.credentials.phone_number_id && n.waba_id === WABA));
    assert.equal(number.account_status, undefined, 'banned before the ban');

    const page = await newPage(DESKTOP);
    await logIn(page);
    await go(page, 'Numbers', 'Business numbers');
    const row = page.getByTestId(`number-${stack.credentials.phone_number_id}`);
    await row.getByText(WABA).waitFor();
    assert.equal(await row.getByTestId('account-status').locator('.status-pill').innerText(), 'no update yet');

    const ban = fixture('account_update_disabled');
    ban.entry[0].time = Math.floor(Date.now() / 1000);
    await post(ban);
    await eventually('the ban recorded', WAIT, async () =>
      (await api('/api/v1/numbers')).find((n) => n.phone_number_id === stack.credentials.phone_number_id)?.account_status === 'banned');
    await page.reload();
    const badge = row.getByTestId('account-status').locator('.status-pill');
    await badge.filter({ hasText: 'banned' }).waitFor();
    assert.equal(await badge.getAttribute('data-tone'), 'bad');
    assert.equal(await badge.evaluate((el) => getComputedStyle(el).color), 'rgb(180, 35, 24)', 'the badge is not red');
    await row.getByTestId('account-status').locator('time').waitFor();

    await row.getByRole('button', { name: /^Account events of/ }).click();
    const events = page.getByRole('dialog', { name: /^Account events of/ });
    await events.getByText('DISABLED_UPDATE', { exact: true }).waitFor();
    await events.getByText(/ban state DISABLE/).waitFor();
    await shot(page, 'number-banned-1280');
    await page.keyboard.press('Escape');
    await events.waitFor({ state: 'detached' });

    // An agent answering on the banned number is warned in the reply box.
    await page.goto(`${stack.adminUrl}/`);
    await page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(`Waba Teacher ${RUN}`) }).click();
    const warning = page.getByTestId('number-warning');
    await warning.waitFor();
    assert.match(await warning.textContent(), /account is banned since .+: replies may not reach the customer/);
    await page.context().close();
  });

  test('a WasenderApi session that lost its connection warns in the reply box; connected again, the warning goes', async () => {
    // A WasenderApi number (its webhook secret picks it at the edge).
    const session = `wsess-${RUN}`;
    const secret = `wasender-secret-${RUN}`;
    const created = await fetch(`${stack.adminUrl}/api/v1/numbers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.credentials.admin_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'wasender', phone_number_id: session, name: `Wasender ${RUN}`, app_secret: secret, access_token: `token-${RUN}` }),
    });
    assert.equal(created.status, 201, await created.text());
    const postWasender = (delivery) => eventually('the edge to take the WasenderApi delivery', 60_000, async () => {
      const res = await fetch(`${stack.edgeUrl}/webhooks/wasender`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-webhook-signature': secret },
        body: JSON.stringify(delivery),
      });
      return res.status === 200; // 401 until the edge has learnt the new number
    });
    const corpus = (name) => JSON.parse(readFileSync(join(REPO, 'tests', 'fixtures', 'conformance', 'wasender', `${name}.json`), 'utf8')
      .replaceAll('{{SESSION_ID}}', session)).delivery;
    const from = customerPhone(7);
    const hello = corpus('messages_personal_received');
    hello.timestamp = Math.floor(Date.now() / 1000);
    hello.data.key.id = `3EB0${RUN}SESSION`;
    hello.data.key.remoteJid = `${from}@s.whatsapp.net`;
    hello.data.message.conversation = 'Are you there?';
    await postWasender(hello);
    await stored(from, hello.data.key.id);

    const down = corpus('session_status_need_scan');
    down.timestamp = Math.floor(Date.now() / 1000);
    await postWasender(down);
    await eventually('the session state on the number', WAIT, async () =>
      (await api('/api/v1/numbers')).find((n) => n.phone_number_id === session)?.session_status === 'need_scan');

    const page = await newPage(DESKTOP);
    await logIn(page);
    const conversation = page.getByTestId('conversation-list').getByRole('link').filter({ hasText: 'Are you there?' });
    await conversation.click();
    const warning = page.getByTestId('number-warning');
    await warning.waitFor();
    assert.match(await warning.textContent(), /session is need scan since .+: replies are not sent until it is connected again/);
    await shot(page, 'session-need-scan-1280');

    const up = corpus('session_status_connected');
    up.timestamp = Math.floor(Date.now() / 1000) + 1;
    await postWasender(up);
    await eventually('the session connected again', WAIT, async () =>
      (await api('/api/v1/numbers')).find((n) => n.phone_number_id === session)?.session_status === 'connected');
    await page.reload();
    await page.getByRole('textbox', { name: 'Write a reply' }).waitFor();
    assert.equal(await page.getByTestId('number-warning').count(), 0, 'no warning once connected');
    await page.context().close();
  });

  test('a template approved by webhook is listed APPROVED; filters; a sync reads the provider\'s listing', async () => {
    // The number knows its account (from the previous test's message, or this one).
    const from = customerPhone(6);
    const hello = textMessage({ from, profileName: `Template Teacher ${RUN}`, text: 'Hi' });
    await post(hello.delivery);
    await stored(from, hello.id);

    const name = `order_confirmation_${RUN}`;
    const approved = fixture('message_template_status_update_approved');
    Object.assign(approved.entry[0].changes[0].value, { message_template_name: name, message_template_id: Number(`1689${RUN}`) });
    await post(approved);
    await eventually('the template in the catalog', WAIT, async () =>
      (await api(`/api/v1/templates?number=${stack.credentials.phone_number_id}`)).some((t) => t.name === name && t.status === 'APPROVED'));

    const page = await newPage(DESKTOP);
    await logIn(page);
    await go(page, 'Templates', 'Templates');
    const row = page.getByTestId(`template-${name}-de`);
    await row.waitFor();
    assert.equal(await row.getByTestId('template-status').innerText(), 'APPROVED');

    // Filters: by status, then by number.
    await page.getByLabel('Status').selectOption('REJECTED');
    await row.waitFor({ state: 'detached' });
    await page.getByLabel('Status').selectOption('APPROVED');
    await row.waitFor();
    await page.getByLabel('Business number').selectOption(stack.credentials.phone_number_id);
    await row.waitFor();
    await page.getByLabel('Status').selectOption('');
    await shot(page, 'templates-1280');

    // Sync from the provider (the sandbox lists four templates, one rejected).
    await page.getByRole('button', { name: 'Sync from provider' }).click();
    await page.getByRole('status').filter({ hasText: /the provider listed 4 templates/ }).waitFor();
    const rejected = page.getByTestId('template-spring_promo-en_US');
    await rejected.waitFor();
    assert.equal(await rejected.getByTestId('template-status').innerText(), 'REJECTED');
    assert.match(await rejected.innerText(), /MARKETING/);
    assert.match(await rejected.innerText(), /PROMOTIONAL/);
    await row.waitFor();
    await shot(page, 'templates-synced-1280');

    // A provider that does not answer: the error is shown, the catalog kept.
    const number = (await api('/api/v1/numbers')).find((n) => n.phone_number_id === stack.credentials.phone_number_id);
    await patchNumber(number.id, { api_base_url: 'http://127.0.0.1:9' });
    try {
      await page.getByRole('button', { name: 'Sync from provider' }).click();
      await page.getByRole('alert').filter({ hasText: /the provider did not list the templates/ }).waitFor();
      await rejected.waitFor();
    } finally {
      await patchNumber(number.id, { api_base_url: number.api_base_url });
    }

    // At 390 px the page fits.
    await page.setViewportSize(PHONE);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the templates page is ${overflow}px wider than the phone`);
    await page.context().close();
  });
});
