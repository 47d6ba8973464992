// End to end: the agents' workplace polish, phone layout, keyboard and
// teamwork (issue 28, dashboard side) in Debian's Chromium against a real
// `wharf up` stack, at 1440×900 and on a 390×844 phone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO, eventually, sendBadSignature, sendCustomerMessage, startStack } from './stack.mjs';

const require = createRequire(join(REPO, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');
const WAIT = 30_000;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const RUN = Date.now() % 100000;

let stack;
let browser;

async function newPage(viewport, options = {}) {
  const context = await browser.newContext({ viewport, ...options });
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

async function api(method, path, body) {
  const res = await fetch(`${stack.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${stack.credentials.admin_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the screen`);
}

/** The conversation list's link for a customer. */
const item = (page, name) => page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(name) });

/** What has the focus: tag, text and the conversation id of a list item. */
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  return { tag: el?.tagName ?? '', text: el?.textContent ?? '', conv: el?.getAttribute('data-conv-id') ?? null, label: el?.getAttribute('aria-label') ?? '' };
});

describe('the agents\' workplace against a real stack', { timeout: 300_000 }, () => {
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

  test('polish: favicon, SVG ticks, unbroken phone numbers, business number by name, filter-aware empty list, 24 h times', async () => {
    // A US locale: the browser's own time format would be 12 h ("1:05:09 AM").
    const page = await newPage(DESKTOP, { locale: 'en-US' });
    const missing = [];
    page.on('response', (r) => { if (r.status() === 404) missing.push(r.url()); });
    await logIn(page);

    // The favicon: linked from the page and served, also at the address browsers guess.
    const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
    const svg = await fetch(`${stack.adminUrl}${icon}`);
    assert.equal(svg.status, 200);
    assert.match(svg.headers.get('content-type'), /^image\//);
    const ico = await fetch(`${stack.adminUrl}/favicon.ico`);
    assert.equal(ico.status, 200);
    assert.equal(ico.headers.get('content-type'), 'image/x-icon');
    assert.deepEqual([...new Uint8Array(await ico.arrayBuffer()).slice(0, 4)], [0, 0, 1, 0], 'favicon.ico is an icon file');

    const name = `Polly Polish ${RUN}`;
    await sendCustomerMessage(stack, { from: '4915112340001', name, text: 'Is my parcel on its way?' });
    await item(page, name).click();
    await page.getByRole('heading', { name }).waitFor();

    // The phone number: the country code set apart by a no-break space, never wrapped.
    const phone = page.getByTestId('customer-phone');
    assert.equal(await phone.innerText(), '+49\u00a015112340001');
    assert.equal(await phone.locator('.phone').evaluate((el) => getComputedStyle(el).whiteSpace), 'nowrap');

    // The business number by its name and phone, not the provider's id.
    const [number] = (await api('GET', '/api/v1/numbers')).filter((n) => n.phone_number_id === stack.credentials.phone_number_id);
    const shown = await page.getByTestId('business-number').innerText();
    assert.ok(!shown.includes(number.phone_number_id), `the business number shows as "${shown}"`);
    assert.equal(shown, number.display_phone);
    await api('PATCH', `/api/v1/numbers/${number.id}`, { name: `Support ${RUN}` });
    await page.reload();
    await page.getByTestId('business-number').filter({ hasText: `Support ${RUN} (${number.display_phone})` }).waitFor();
    await page.getByTestId('conversation-list').getByText(`Support ${RUN}`).waitFor();
    // So does a routing rule's summary (a disabled rule: routing stays as it was).
    const ruleTeam = await api('POST', '/api/v1/teams', { name: `Support team ${RUN}`, strategy: 'manual', members: [] });
    await api('POST', '/api/v1/rules', {
      name: `Support line ${RUN}`, enabled: false,
      conditions: { keywords: [], tiers: [], languages: [], business_numbers: [number.phone_number_id] },
      action: { type: 'team', team_id: ruleTeam.id, priority: 0 },
    });
    await page.goto(`${stack.adminUrl}/rules`);
    await page.getByTestId('rule-list').getByText(`If number Support ${RUN} (${number.display_phone}) → Queue for Support team ${RUN}`).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name }).waitFor();

    // A reply's ticks are drawn (SVG), not emoji or symbol characters that need a font.
    await page.getByRole('textbox', { name: 'Write a reply' }).fill('Yes, it ships today.');
    await page.getByRole('textbox', { name: 'Write a reply' }).press('Control+Enter');
    const tick = page.locator('.bubble.out', { hasText: 'it ships today' }).getByTestId('tick');
    await tick.locator('svg').waitFor();
    assert.equal((await tick.innerText()).trim(), '', 'a tick has no text glyph');
    await page.locator('.bubble.out[data-status="delivered"], .bubble.out[data-status="read"]', { hasText: 'it ships today' })
      .locator('svg[data-icon="double-check"]').waitFor();
    assert.equal(await page.getByText('🕓').count(), 0);
    await shot(page, 'polish-conversation-1440');

    // Times are 24 h: in the conversation and on the health page, whatever the locale.
    const times = await page.locator('.main time').allInnerTexts();
    assert.ok(times.length > 0);
    for (const t of times) assert.doesNotMatch(t, /AM|PM/i, `a 12 h time: ${t}`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Health' }).click();
    const status = page.getByTestId('health-status');
    await status.filter({ hasText: /updated/ }).waitFor();
    assert.match(await status.innerText(), /updated \d{2}:\d{2}:\d{2} /);
    assert.doesNotMatch(await page.locator('main').innerText(), /\d (AM|PM)\b/);

    // A filter that matches nothing says so (not "no conversations yet"), and can be cleared.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.getByLabel('Status').selectOption('pending');
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill(`nobody-${RUN}`);
    const empty = page.getByTestId('list-empty');
    await empty.getByText('No conversations match these filters').waitFor();
    assert.equal(await page.getByText('No conversations yet').count(), 0);
    await empty.getByRole('button', { name: 'Clear filters' }).click();
    await item(page, name).waitFor();
    assert.equal(new URL(page.url()).search, '');

    assert.deepEqual(missing, [], 'no request was a 404');
    await page.context().close();
  });

  test('phone: the menu reaches every page, details from the conversation, tables as cards, the alert banner dismissed for the session', async () => {
    const page = await newPage(PHONE);
    await logIn(page);
    const menu = page.getByRole('button', { name: 'Menu' });
    const nav = page.getByRole('navigation', { name: 'Main' });
    // Folded: no sideways-scrolling strip of links.
    assert.equal(await menu.getAttribute('aria-expanded'), 'false');
    assert.equal(await nav.isVisible(), false);
    await noOverflow(page, 'the inbox');

    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    const links = await nav.getByRole('link').allInnerTexts();
    assert.ok(links.length >= 11, `the menu lists every page (${links.join(', ')})`);
    await shot(page, 'menu-390');
    for (const link of links) {
      if (!(await nav.isVisible())) await menu.click();
      const target = nav.getByRole('link', { name: link, exact: true });
      const box = await target.boundingBox();
      assert.ok(box && box.y + box.height <= PHONE.height && box.x >= 0 && box.x + box.width <= PHONE.width, `${link} is on screen`);
      await target.click();
      await page.locator('main h1').first().waitFor();
      assert.equal(await nav.isVisible(), false, `the menu closes after opening ${link}`);
      assert.equal(await page.locator('#main-nav').getByRole('link', { name: link, exact: true, includeHidden: true }).getAttribute('aria-current'), 'page');
      await noOverflow(page, `the ${link} page`);
    }
    // Escape closes the menu too, and gives the focus back to its button.
    await menu.click();
    await page.keyboard.press('Escape');
    assert.equal(await nav.isVisible(), false);
    assert.equal((await focused(page)).text, 'Menu');

    // Tables reflow into cards: every column labelled, the actions on screen.
    await menu.click();
    await nav.getByRole('link', { name: 'Agents', exact: true }).click();
    const row = page.locator('tbody tr').first();
    await row.waitFor();
    assert.equal(await row.evaluate((el) => getComputedStyle(el).display), 'block');
    // The header row is for screen readers only: each cell says its column instead.
    assert.ok((await page.locator('thead').first().boundingBox()).height <= 1, 'the header row is hidden');
    assert.equal(await row.locator('td').nth(1).getAttribute('data-label'), 'Email');
    const edit = row.getByRole('button', { name: /^Edit / });
    const box = await edit.boundingBox();
    assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `the Edit button is on screen (${box.x}+${box.width})`);
    await noOverflow(page, 'the agents page');
    await shot(page, 'agents-cards-390');

    // The customer's details from the conversation.
    const name = `Phoebe Phone ${RUN}`;
    await sendCustomerMessage(stack, { from: '5511987650001', name, text: 'Hello from my phone' });
    await menu.click();
    await nav.getByRole('link', { name: 'Inbox', exact: true }).click();
    await item(page, name).click();
    await page.getByTestId('timeline').waitFor();
    const details = page.getByRole('button', { name: 'Details' });
    assert.equal(await page.getByTestId('customer-identity').isVisible(), false);
    await details.click();
    await page.getByTestId('customer-identity').waitFor();
    assert.equal(await page.getByTestId('timeline').isVisible(), false);
    assert.equal(await page.getByTestId('customer-phone').innerText(), '+55\u00a011987650001');
    const phoneBox = await page.getByTestId('customer-phone').locator('.phone').boundingBox();
    const lineHeight = await page.getByTestId('customer-phone').evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
    assert.ok(phoneBox.height < lineHeight * 1.5, 'the phone number stays on one line');
    // Notes work from the phone's details too.
    const notes = page.getByTestId('notes');
    await notes.getByRole('textbox', { name: 'Internal note' }).fill('Asked for a callback on the phone');
    await notes.getByRole('button', { name: 'Add note' }).click();
    await notes.locator('.note', { hasText: 'Asked for a callback on the phone' }).waitFor();
    await noOverflow(page, 'the details');
    await shot(page, 'details-390');
    await page.getByRole('button', { name: 'Messages' }).click();
    await page.getByTestId('timeline').waitFor();

    // The alert banner: dismissed, it stays away for this session; a new session shows it.
    await sendBadSignature(stack);
    const banner = page.getByTestId('alerts-banner');
    await eventually('the alert banner', WAIT, async () => {
      await page.reload();
      await page.getByTestId('timeline').waitFor();
      return (await banner.count()) > 0;
    });
    await banner.getByRole('button', { name: 'Dismiss alerts for this session' }).click();
    assert.equal(await banner.count(), 0);
    await page.reload();
    await page.getByTestId('timeline').waitFor();
    await page.waitForResponse((r) => r.url().includes('/api/v1/alerts')).catch(() => undefined);
    assert.equal(await banner.count(), 0, 'the dismissed banner came back after a reload');
    const other = await newPage(PHONE);
    await logIn(other);
    await other.getByTestId('alerts-banner').waitFor();
    await other.context().close();
    await page.context().close();
  });

  test('keyboard: j / k move, Enter opens with the focus in the conversation, r replies, Escape goes back, ? shows the shortcuts', async () => {
    const names = [1, 2, 3].map((i) => `Kim Keys ${i} ${RUN}`);
    for (const [i, n] of names.entries()) await sendCustomerMessage(stack, { from: `4917000${RUN}${i}`, name: n, text: `Question ${i}` });
    const page = await newPage(DESKTOP);
    await logIn(page);
    // Newest first: Kim 3, Kim 2, Kim 1 at the top.
    await item(page, names[0]).waitFor();
    const ids = await page.getByTestId('conversation-list').locator('[data-conv-id]').evaluateAll((els) => els.map((e) => e.dataset.convId));
    const idOf = async (n) => item(page, n).getAttribute('data-conv-id');

    await page.locator('main h1').click(); // focus on the page, not in a field
    await page.keyboard.press('j');
    assert.equal((await focused(page)).conv, ids[0]);
    await page.keyboard.press('j');
    assert.equal((await focused(page)).conv, ids[1]);
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    assert.equal((await focused(page)).conv, ids[1]);

    // Enter opens it; the focus moves into the conversation (its heading).
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/conversations/${ids[1]}`);
    const heading = page.locator('.conv-title h2');
    await heading.waitFor();
    await eventually('the focus in the conversation', WAIT, async () => (await focused(page)).tag === 'H2');
    assert.equal((await focused(page)).text, await heading.innerText());

    // r focuses the reply box; in there, keys are typing, not shortcuts.
    await page.keyboard.press('r');
    assert.equal((await focused(page)).label, 'Write a reply');
    await page.keyboard.type('jk?');
    assert.equal(await page.getByRole('textbox', { name: 'Write a reply' }).inputValue(), 'jk?');
    assert.equal(new URL(page.url()).pathname, `/conversations/${ids[1]}`);
    assert.equal(await page.getByRole('dialog').count(), 0);

    // Escape (outside a field) goes back to the list, on the conversation just left.
    await heading.focus();
    await page.keyboard.press('Escape');
    await page.waitForURL((u) => new URL(u).pathname === '/');
    await eventually('the focus back on the list item', WAIT, async () => (await focused(page)).conv === ids[1]);

    // ? shows the shortcut sheet, a dialog; Escape closes it.
    await page.keyboard.press('?');
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await sheet.waitFor();
    assert.match(await sheet.getByTestId('shortcut-list').innerText(), /Next conversation[\s\S]*Previous conversation/);
    await shot(page, 'shortcuts-1440');
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'detached' });
    assert.equal(new URL(page.url()).pathname, '/', 'Escape in the sheet only closes the sheet');
    assert.ok(await idOf(names[0]));
    await page.context().close();
  });

  test('teamwork: an internal note and a transfer to an agent, then to a team queue; the assignee named in the list and header', async () => {
    const team = await api('POST', '/api/v1/teams', { name: `Billing ${RUN}`, strategy: 'manual', members: [] });
    const agent = await api('POST', '/api/v1/agents', {
      name: `Tess Transfer ${RUN}`, email: `tess-${RUN}@example.test`, password: 'correct horse battery', role: 'agent',
      capacity: 5, languages: [], teams: [team.id],
    });
    const name = `Nora Notes ${RUN}`;
    await sendCustomerMessage(stack, { from: '351912340001', name, text: 'I was charged twice' });
    const page = await newPage(DESKTOP);
    await logIn(page);
    await item(page, name).click();
    await page.getByRole('heading', { name }).waitFor();

    // A note: kept for the team, signed by its author, never in the timeline.
    const notes = page.getByTestId('notes');
    await notes.getByText(/No notes yet/).waitFor();
    await notes.getByRole('textbox', { name: 'Internal note' }).fill('Refund approved by finance, ref 7781');
    await notes.getByRole('button', { name: 'Add note' }).click();
    const note = notes.locator('.note', { hasText: 'Refund approved by finance, ref 7781' });
    await note.waitFor();
    assert.match(await note.locator('.note-meta').innerText(), /^you \(/);
    assert.equal(await page.getByTestId('timeline').getByText('Refund approved').count(), 0);
    const conversationId = new URL(page.url()).pathname.split('/').pop();
    const [stored] = await api('GET', `/api/v1/conversations/${conversationId}/notes`);
    assert.equal(stored.body, 'Refund approved by finance, ref 7781');
    // A colleague's note (here an API token's) arrives live, signed by its author.
    await api('POST', `/api/v1/conversations/${conversationId}/notes`, { body: 'Customer called again' });
    const theirs = notes.locator('.note', { hasText: 'Customer called again' });
    await theirs.waitFor();
    assert.match(await theirs.locator('.note-meta').innerText(), /^API token /);

    // Transfer to an agent: the header and the list say to whom.
    const assignment = page.getByTestId('assignment');
    await assignment.getByLabel('Transfer to agent', { exact: true }).selectOption({ label: agent.name });
    await assignment.getByRole('button', { name: 'Transfer', exact: true }).click();
    await assignment.getByTestId('transfer-notice').filter({ hasText: `Transferred to ${agent.name}.` }).waitFor();
    await page.getByTestId('conversation-status').filter({ hasText: `Assigned to ${agent.name}` }).waitFor();
    assert.equal(await assignment.getByTestId('assignee').innerText(), agent.name);
    await item(page, name).getByTestId('list-status').filter({ hasText: `Assigned to ${agent.name}` }).waitFor();
    await shot(page, 'transfer-1440');

    // Then to a team's queue: nobody has it, the team is named.
    await assignment.getByLabel('Transfer to team', { exact: true }).selectOption({ label: team.name });
    await assignment.getByRole('button', { name: 'Transfer', exact: true }).click();
    await assignment.getByTestId('transfer-notice').filter({ hasText: `Transferred to the ${team.name} queue.` }).waitFor();
    await page.getByTestId('conversation-status').filter({ hasText: /^Queued$/ }).waitFor();
    assert.equal(await assignment.getByTestId('team').innerText(), team.name);
    assert.equal(await assignment.getByTestId('assignee').innerText(), 'nobody');

    // To the agent again (the team kept), then handed back to the team's queue in one click.
    await assignment.getByLabel('Transfer to agent', { exact: true }).selectOption({ label: agent.name });
    await assignment.getByRole('button', { name: 'Transfer', exact: true }).click();
    await page.getByTestId('conversation-status').filter({ hasText: `Assigned to ${agent.name}` }).waitFor();
    assert.equal(await assignment.getByTestId('team').innerText(), team.name);
    await assignment.getByRole('button', { name: `Return to the ${team.name} queue` }).click();
    await page.getByTestId('conversation-status').filter({ hasText: /^Queued$/ }).waitFor();
    assert.equal(await assignment.getByTestId('assignee').innerText(), 'nobody');
    await page.context().close();
  });
});
