// End to end: the desk (issue 28): snooze and its wake-up on a customer
// message, a bulk assign with a conflicting row, presence from the
// dashboard's heartbeat, the collision notice between two browser
// contexts; in Debian's Chromium against a real `wharf up` stack.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, adminApi, eventually, sendCustomerMessage, startStackAndBrowser } from './stack.mjs';

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');
const WAIT = 30_000;
const DESKTOP = { width: 1440, height: 900 };
const RUN = Date.now() % 100000;

let stack;
let browser;

async function newPage(viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT);
  return context.newPage();
}

async function logIn(page, email = stack.credentials.admin_email, password = stack.credentials.admin_password) {
  await page.goto(stack.adminUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Inbox', exact: true }).waitFor();
}

const api = (method, path, body) => adminApi(stack, method, path, body);

/** The conversation list's link for a customer. */
const item = (page, name) => page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(name) });

describe('the desk against a real stack', { timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ stack, browser } = await startStackAndBrowser());
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('snooze: out of the active list into the snoozed one, woken by the customer with a line in the timeline', async () => {
    const name = `Sam Snooze ${RUN}`;
    await sendCustomerMessage(stack, { from: '4915177770001', name, text: 'Call me back next week' });
    const page = await newPage();
    await logIn(page);
    await item(page, name).click();
    await page.getByRole('heading', { name }).waitFor();

    // Snooze for an hour from the header's menu.
    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    const menu = page.getByTestId('snooze-menu');
    assert.deepEqual((await menu.getByRole('menuitem').allInnerTexts()).slice(-1).map((t) => t.startsWith('Tomorrow')), [true]);
    await menu.getByRole('menuitem', { name: '1 hour' }).click();
    await page.getByTestId('action-notice').waitFor({ timeout: 2000 }).then(async () => {
      throw new Error(`snooze refused: ${await page.getByTestId('action-notice').innerText()}`);
    }, () => undefined);
    // "Snoozed until 14:05", or with the weekday when the hour ends after midnight.
    await page.getByTestId('conversation-snoozed').filter({ hasText: /Snoozed until ([A-Z][a-z]{2} )?\d\d:\d\d/ }).waitFor();
    await page.getByTestId('snooze-snoozed').filter({ hasText: /^Snoozed by .* until/ }).waitFor();
    // Gone from the active list; in the snoozed one, with its badge.
    await item(page, name).waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Snoozed' }).check();
    await item(page, name).getByTestId('list-snoozed').waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'snoozed-1440.png') });

    // The customer writes: it wakes, live, with a line saying why.
    await sendCustomerMessage(stack, { from: '4915177770001', name, text: 'Actually, today works' });
    await page.getByTestId('snooze-woke').filter({ hasText: 'Woke up: the customer wrote' }).waitFor();
    await page.getByTestId('conversation-snoozed').waitFor({ state: 'detached' });
    await item(page, name).waitFor({ state: 'detached' });
    await page.getByRole('checkbox', { name: 'Snoozed' }).uncheck();
    await item(page, name).waitFor();
    const [row] = (await api('GET', '/api/v1/conversations?snoozed=false&limit=200')).items.filter((c) => c.contact.profile_name === name);
    assert.equal(row.snoozed_until, undefined);

    // A custom time in the past is refused in the menu, nothing sent.
    await page.getByRole('button', { name: 'Snooze', exact: true }).click();
    await page.getByLabel('Custom snooze time').fill('2020-01-01T09:00');
    await page.getByTestId('snooze-menu').getByRole('button', { name: 'Snooze' }).click();
    await page.getByTestId('snooze-menu').getByRole('alert').filter({ hasText: 'Pick a time in the future.' }).waitFor();
    await page.context().close();
  });

  test('bulk assign: rows selected in the list, one changed meanwhile is reported and stays selected, the other assigned', async () => {
    const names = [`Bea Bulk ${RUN}`, `Cal Bulk ${RUN}`];
    await sendCustomerMessage(stack, { from: '4915177770011', name: names[0], text: 'Where is my refund?' });
    await sendCustomerMessage(stack, { from: '4915177770012', name: names[1], text: 'Refund please' });
    const page = await newPage();
    await logIn(page);
    await item(page, names[0]).waitFor();
    await item(page, names[1]).waitFor();
    const list = (await api('GET', '/api/v1/conversations?limit=200')).items;
    const [bea, cal] = names.map((n) => list.find((c) => c.contact.profile_name === n));

    await page.getByRole('checkbox', { name: `Select ${names[0]}` }).check();
    await page.getByRole('checkbox', { name: `Select ${names[1]}` }).check();
    const bar = page.getByTestId('bulk-bar');
    await bar.getByTestId('bulk-count').filter({ hasText: '2 selected' }).waitFor();
    await bar.getByLabel('Assign to agent').selectOption({ label: 'Me' });
    // A colleague moves Cal just before the request reaches the server:
    // the version the list showed is stale.
    const team = await api('POST', '/api/v1/teams', { name: `Bulk team ${RUN}`, strategy: 'manual', members: [] });
    await page.route('**/api/v1/conversations/bulk', async (route) => {
      const now = await api('GET', `/api/v1/conversations/${cal.id}`);
      await api('POST', `/api/v1/conversations/${cal.id}/transfer`, { version: now.conversation.version, team_id: team.id });
      await route.continue();
    }, { times: 1 });
    await bar.getByRole('button', { name: 'Assign' }).click();
    await bar.getByTestId('bulk-summary').filter({ hasText: 'Assigned 1 of 2 conversations: 1 not applied.' }).waitFor();
    const problem = bar.getByTestId('bulk-problems').locator(`[data-conv-problem="${cal.id}"]`);
    assert.match(await problem.innerText(), new RegExp(`${names[1]}: changed since you loaded it`));
    await bar.getByTestId('bulk-count').filter({ hasText: '1 selected' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: `Select ${names[1]}` }).isChecked(), true);
    await page.screenshot({ path: join(ARTIFACTS, 'bulk-1440.png') });

    const me = await page.evaluate(() => JSON.parse(localStorage.getItem('wharf.session')).me);
    const beaNow = (await api('GET', `/api/v1/conversations/${bea.id}`)).conversation;
    assert.equal(beaNow.status, 'assigned');
    assert.equal(beaNow.assignee_id, me.agent.id);
    const calNow = (await api('GET', `/api/v1/conversations/${cal.id}`)).conversation;
    assert.equal(calNow.assignee_id, undefined, 'the stale row was not applied');
    assert.equal(calNow.team_id, team.id);
    await page.context().close();
  });

  test('presence: an agent is online once signed in, offline after signing out', async () => {
    const team = await api('POST', '/api/v1/teams', { name: `Presence team ${RUN}`, strategy: 'manual', members: [] });
    const email = `pia-${RUN}@example.test`;
    const pia = await api('POST', '/api/v1/agents', {
      name: `Pia Presence ${RUN}`, email, password: 'correct horse battery', role: 'agent', capacity: 5, languages: [], teams: [team.id],
    });
    assert.equal((await api('GET', `/api/v1/agents/${pia.id}`)).presence, 'offline');
    const page = await newPage();
    await logIn(page, email, 'correct horse battery');
    await page.locator('[data-testid="my-presence"].p-online').waitFor();
    await eventually('Pia online', WAIT, async () => (await api('GET', `/api/v1/agents/${pia.id}`)).presence === 'online');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();
    assert.equal((await api('GET', `/api/v1/agents/${pia.id}`)).presence, 'offline');
    await page.context().close();
  });

  test('collision notice: another agent viewing, then typing, shows in the open conversation', async () => {
    const team = await api('POST', '/api/v1/teams', { name: `Collision team ${RUN}`, strategy: 'manual', members: [] });
    const email = `tom-${RUN}@example.test`;
    const tomName = `Tom Typing ${RUN}`;
    await api('POST', '/api/v1/agents', {
      name: tomName, email, password: 'correct horse battery', role: 'agent', capacity: 5, languages: [], teams: [team.id],
    });
    const name = `Cora Collision ${RUN}`;
    await sendCustomerMessage(stack, { from: '4915177770021', name, text: 'Anyone there?' });
    const conv = await eventually('the conversation', WAIT, async () =>
      (await api('GET', '/api/v1/conversations?limit=200')).items.find((c) => c.contact.profile_name === name));
    await api('POST', `/api/v1/conversations/${conv.id}/transfer`, { version: conv.version, team_id: team.id });

    const admin = await newPage();
    await logIn(admin);
    await item(admin, name).click();
    await admin.getByRole('heading', { name }).waitFor();

    const tom = await newPage();
    await logIn(tom, email, 'correct horse battery');
    await item(tom, name).click();
    await tom.getByRole('heading', { name }).waitFor();
    await admin.getByTestId('collision').filter({ hasText: `${tomName} is viewing` }).waitFor();
    await tom.getByRole('textbox', { name: 'Write a reply' }).pressSequentially('On it', { delay: 50 });
    await admin.getByTestId('collision').filter({ hasText: `${tomName} is typing…` }).waitFor();
    await admin.screenshot({ path: join(ARTIFACTS, 'collision-1440.png') });
    // Tom sees the admin (an agent too) viewing, never himself.
    const seen = await tom.getByTestId('collision').innerText();
    assert.ok(!seen.includes(tomName), seen);
    // Tom leaves: the notice goes.
    await tom.context().close();
    await admin.getByTestId('collision').waitFor({ state: 'detached' });
    await admin.context().close();
  });
});
