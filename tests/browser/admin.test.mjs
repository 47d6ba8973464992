// End to end: the admins' pages in Debian's Chromium (playwright-core)
// against a real `wharf up` stack: a team and an agent, two routing rules
// reordered and checked with the dry run, an API token created (shown once)
// and revoked, business numbers (secrets write-only), the audit log, and
// what an agent sees instead.
// Screenshots go to tests/browser/artifacts/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { eventually, REPO, sendCustomerMessage, startStack } from './stack.mjs';

const require = createRequire(join(REPO, 'web', 'package.json'));
const { chromium } = require('playwright-core');

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');
const WAIT = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const RUN = Date.now() % 100000;

let stack;
let browser;

async function newPage(viewport) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT);
  return context.newPage();
}

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

async function logIn(page, email, password) {
  await page.goto(stack.adminUrl);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
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

async function ruleOrder(page) {
  return page.getByTestId('rule-list').locator('li').evaluateAll((lis) => lis.map((li) => li.dataset.ruleName));
}

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} is ${overflow}px wider than the window`);
}

async function api(path, token) {
  return fetch(`${stack.adminUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

describe('admin pages against a real stack', { timeout: 300_000 }, () => {
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

  const team = `Billing ${RUN}`;
  const agent = { name: `Carla ${RUN}`, email: `carla${RUN}@example.com`, password: `pw-${RUN}-secret` };

  test('an admin creates a team and an agent, orders two rules, dry-runs them, creates and revokes a token', async () => {
    const page = await newPage(DESKTOP);
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.adminUrl });
    await logIn(page, stack.credentials.admin_email, stack.credentials.admin_password);

    // A team, least loaded.
    await go(page, 'Teams', 'Teams');
    await page.getByText(/No teams yet|Billing/).first().waitFor();
    await page.getByRole('button', { name: 'New team' }).click();
    await page.getByLabel('Team name').fill(team);
    await page.getByLabel('Strategy').selectOption('least_loaded');
    // Business hours with the hours editor: São Paulo, 09:00–18:00, Monday to Friday.
    await page.getByLabel('Open only at certain hours').check();
    await page.locator('#team-form-hoursTimeZone').fill('America/Sao_Paulo');
    await page.getByRole('button', { name: 'Create team' }).click();
    await page.getByRole('status').filter({ hasText: `Team ${team} was created.` }).waitFor();
    await page.getByRole('row', { name: new RegExp(`${team}\\s+Least loaded`) }).waitFor();
    const teamRow = page.getByRole('row', { name: new RegExp(team) });
    assert.match(await teamRow.innerText(), /09:00–18:00 America\/Sao_Paulo/);
    const teams = await (await api('/api/v1/teams', stack.credentials.admin_token)).json();
    assert.deepEqual(teams.find((t) => t.name === team).business_hours,
      { time_zone: 'America/Sao_Paulo', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' });

    // An agent in that team, with a password, capacity and languages.
    await go(page, 'Agents', 'Agents');
    await page.getByRole('button', { name: 'New agent' }).click();
    const form = page.getByRole('form', { name: 'New agent' });
    await form.getByLabel('Name').fill(agent.name);
    await form.getByLabel('Email').fill(agent.email);
    await form.getByLabel('Password').fill(agent.password);
    await form.getByLabel('Capacity').fill('3');
    await form.getByLabel('Languages').fill('en, pt');
    await form.getByLabel(team).check();
    await form.getByRole('button', { name: 'Create agent' }).click();
    const row = page.getByTestId(`agent-${agent.email}`);
    await row.waitFor();
    const cells = await row.innerText();
    assert.match(cells, new RegExp(team));
    assert.match(cells, /en, pt/);
    assert.match(cells, /\b3\b/);
    assert.ok(!cells.includes(agent.password), 'the password was rendered');
    // Presence is set from the list.
    await page.getByLabel(`Presence of ${agent.name}`).selectOption('away');
    await page.getByRole('status').filter({ hasText: `${agent.name} is now away.` }).waitFor();
    // Deleting oneself is refused, so the admin's own row offers no Delete.
    const me = page.getByTestId(`agent-${stack.credentials.admin_email}`);
    await me.waitFor();
    assert.equal(await me.getByRole('button', { name: /^Delete/ }).count(), 0);
    await shot(page, 'agents-1280');

    // Two rules: "General" (every message) first, "Refunds" second.
    await go(page, 'Rules', 'Routing rules');
    await page.getByText(/No routing rules yet/).waitFor();
    for (const [name, keywords] of [[`General ${RUN}`, ''], [`Refunds ${RUN}`, 'refund, money back']]) {
      await page.getByRole('button', { name: 'New rule' }).click();
      const editor = page.getByRole('form', { name: 'New rule' });
      await editor.getByLabel('Rule name').fill(name);
      await editor.getByLabel('Keywords').fill(keywords);
      await editor.locator('#rule-form-teamId').selectOption({ label: team });
      if (keywords) await editor.getByLabel('Priority').fill('5');
      await editor.getByRole('button', { name: 'Create rule' }).click();
      await page.getByRole('status').filter({ hasText: `Rule “${name}” was created` }).waitFor();
    }
    await eventually('both rules listed', WAIT, async () => (await ruleOrder(page)).length === 2);
    assert.deepEqual(await ruleOrder(page), [`General ${RUN}`, `Refunds ${RUN}`]);

    // First match wins: with General on top, a refund message hits General.
    const dry = page.getByRole('form', { name: 'Test a message' });
    await dry.getByLabel('Message text').fill('I want a refund for order 1234');
    await dry.getByRole('button', { name: 'Test' }).click();
    await page.getByTestId('dry-run-result').filter({ hasText: `Rule “General ${RUN}” would hit` }).waitFor();

    // Move Refunds up (the reorder call): the order is saved on the server.
    await page.getByRole('button', { name: `Move Refunds ${RUN} up` }).click();
    await page.getByRole('status').filter({ hasText: `“Refunds ${RUN}” is now rule 1.` }).waitFor();
    assert.deepEqual(await ruleOrder(page), [`Refunds ${RUN}`, `General ${RUN}`]);
    // The keyboard stays with the moved rule.
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Edit Refunds ${RUN}`);
    const saved = await (await api('/api/v1/rules', stack.credentials.admin_token)).json();
    assert.deepEqual(saved.sort((a, b) => a.position - b.position).map((r) => r.name), [`Refunds ${RUN}`, `General ${RUN}`]);

    await dry.getByRole('button', { name: 'Test' }).click();
    await page.getByTestId('dry-run-result').filter({ hasText: `Rule “Refunds ${RUN}” would hit` }).waitFor();
    assert.match(await page.getByTestId('dry-run-result').innerText(), new RegExp(`queued for ${team} at priority 5`));
    // A message without the keyword falls through to General.
    await dry.getByLabel('Message text').fill('Where is my parcel?');
    await dry.getByRole('button', { name: 'Test' }).click();
    await page.getByTestId('dry-run-result').filter({ hasText: `Rule “General ${RUN}” would hit` }).waitFor();
    await shot(page, 'rules-1280');

    // A team that rules route to cannot be deleted: the 409 is explained and nothing changes.
    await go(page, 'Teams', 'Teams');
    await page.getByRole('button', { name: `Delete ${team}` }).click();
    await page.getByRole('alertdialog', { name: 'Confirm deletion' }).getByRole('button', { name: `Delete ${team}` }).click();
    await page.getByRole('alert').filter({ hasText: /Not possible right now: routing rules route to this team/ }).waitFor();
    await page.getByRole('row', { name: new RegExp(team) }).waitFor();

    // A token: shown once with a copy button and a warning, then revoked.
    await go(page, 'API tokens', 'API tokens');
    const tokenName = `crm-sync-${RUN}`;
    await page.getByLabel('Token name').fill(tokenName);
    await page.getByRole('button', { name: 'Create token' }).click();
    const once = page.getByTestId('new-token');
    await once.getByText('it is shown only this once').waitFor();
    const secret = await once.getByLabel('Token').inputValue();
    assert.ok(secret.length >= 20, 'the token is shown');
    assert.equal((await api('/api/v1/auth/me', secret)).status, 200, 'the new token works');
    await once.getByRole('button', { name: 'Copy' }).click();
    await once.getByRole('status').waitFor();
    const copied = await once.getByRole('status').innerText();
    if (/Copied/.test(copied)) assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);
    await shot(page, 'token-once-1280');
    await once.getByRole('button', { name: /hide it/ }).click();
    await once.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(secret), 'the token is still in the page after hiding it');
    const tokenRow = page.getByTestId(`token-${tokenName}`);
    await tokenRow.waitFor();
    await tokenRow.getByRole('button', { name: `Revoke ${tokenName}` }).click();
    await page.getByRole('alertdialog', { name: 'Confirm revocation' }).getByRole('button', { name: `Revoke ${tokenName}` }).click();
    await page.getByRole('status').filter({ hasText: `Token ${tokenName} was revoked` }).waitFor();
    await tokenRow.waitFor({ state: 'detached' });
    assert.equal((await api('/api/v1/auth/me', secret)).status, 401, 'the revoked token still works');

    // The audit log has all of it, filterable.
    await go(page, 'Audit', 'Audit log');
    await page.getByRole('cell', { name: 'team.create' }).first().waitFor();
    const actions = () => page.getByTestId('audit-action').allInnerTexts();
    await page.getByLabel('Target type').selectOption('routing_rule');
    const ruleActions = await eventually('only rule entries', WAIT, async () => {
      const a = await actions();
      return a.length > 0 && a.every((x) => x.startsWith('rule.')) && a;
    });
    assert.ok(ruleActions.includes('rule.reorder') && ruleActions.includes('rule.create'), ruleActions.join());
    await page.getByLabel('Target type').selectOption('');
    await page.getByRole('cell', { name: 'team.create' }).first().waitFor();
    await page.getByLabel('Actor or action').fill('token.');
    assert.deepEqual((await actions()).sort(), ['token.create', 'token.revoke']);
    await shot(page, 'audit-1280');

    // Business numbers: secrets are write-only, shown only as set / not set.
    await go(page, 'Numbers', 'Business numbers');
    const demo = page.getByTestId(`number-${stack.credentials.phone_number_id}`);
    await demo.getByText('app secret set').waitFor();
    await demo.getByRole('button', { name: /^Edit/ }).click();
    const edit = page.getByRole('form', { name: /^Edit/ });
    await edit.getByLabel('Display name').fill(`Support line ${RUN}`);
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: `Support line ${RUN} was saved.` }).waitFor();
    await demo.getByText(`Support line ${RUN}`).waitFor();
    assert.match(await demo.innerText(), /app secret set/, 'saving without typing a secret kept it');
    const newSecret = `shh-${RUN}-app-secret`;
    await page.getByRole('button', { name: 'Add number' }).click();
    const add = page.getByRole('form', { name: 'Add a business number' });
    await add.getByLabel('Display name').fill(`Sales ${RUN}`);
    await add.getByLabel('Provider').selectOption('sandbox');
    await add.getByLabel('Number id').fill(`sales-${RUN}`);
    await add.getByLabel('App secret').fill(newSecret);
    await add.getByRole('button', { name: 'Add number' }).click();
    await page.getByTestId(`number-sales-${RUN}`).getByText('app secret set · verify token not set · access token not set').waitFor();
    const html = await page.content();
    for (const secret of [newSecret, stack.credentials.app_secret, stack.credentials.verify_token, stack.credentials.admin_token]) {
      assert.ok(!html.includes(secret), 'a secret was rendered');
    }
    await shot(page, 'numbers-1280');

    // At 390 px: the rules and the dry run fit.
    await page.setViewportSize(PHONE);
    await go(page, 'Rules', 'Routing rules');
    await page.getByTestId('rule-list').waitFor();
    await noOverflow(page, 'the rules page');
    await shot(page, 'rules-390');
    await go(page, 'Agents', 'Agents');
    await page.getByTestId(`agent-${agent.email}`).waitFor();
    await noOverflow(page, 'the agents page');
    await shot(page, 'agents-390');
    await go(page, 'Numbers', 'Business numbers');
    await page.getByTestId(`number-sales-${RUN}`).waitFor();
    await noOverflow(page, 'the numbers page');
    for (const [link, heading] of [['Teams', 'Teams'], ['API tokens', 'API tokens'], ['Audit', 'Audit log']]) {
      await go(page, link, heading);
      await eventually(`${heading} loaded`, WAIT, async () => (await page.locator('[aria-busy="true"]').count()) === 0);
      await noOverflow(page, `the ${heading} page`);
    }
    await shot(page, 'audit-390');
    await page.context().close();
  });

  test('an admin creates a webhook (its secret shown once), rotates its secret, disables and deletes it', async () => {
    const page = await newPage(DESKTOP);
    await logIn(page, stack.credentials.admin_email, stack.credentials.admin_password);
    await go(page, 'Webhooks', 'Webhooks');
    const form = page.getByRole('form', { name: 'New webhook' });
    // Nothing listens on port 9: the endpoint fails quietly meanwhile.
    await form.getByLabel('URL').fill(`http://127.0.0.1:9/hooks/crm-${RUN}?token=hidden`);
    await form.getByLabel('Description').fill(`CRM ${RUN}`);
    await form.getByText('message.received', { exact: true }).click();
    await form.getByRole('button', { name: 'Create webhook' }).click();
    const secret = page.getByTestId('new-secret');
    await secret.waitFor();
    const first = await secret.getByLabel('Signing secret').inputValue();
    assert.match(first, /^whsec_[A-Za-z0-9+/=]{40,}$/);
    await secret.getByRole('button', { name: 'I have stored it — hide it' }).click();
    const row = page.locator('tr', { hasText: `CRM ${RUN}` });
    await row.waitFor();
    const text = await row.textContent();
    assert.match(text, /http:\/\/127\.0\.0\.1:9/);
    assert.doesNotMatch(text, /hidden|crm-/, 'the URL itself is never shown');
    assert.match(text, /message\.received/);
    await row.getByRole('button', { name: 'Rotate secret' }).click();
    const second = await page.getByTestId('new-secret').getByLabel('Signing secret').inputValue();
    assert.match(second, /^whsec_/);
    assert.notEqual(second, first);
    await page.getByRole('status').filter({ hasText: 'the old one signs too for 24 hours' }).waitFor();
    await row.getByRole('button', { name: 'Disable' }).click();
    await row.getByText('Disabled').waitFor();
    await row.getByRole('button', { name: 'Attempts' }).click();
    await page.getByTestId('webhook-attempts').waitFor();
    await row.getByRole('button', { name: /^Delete the webhook/ }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: /^Delete/ }).click();
    await row.waitFor({ state: 'detached' });
    await page.context().close();
  });

  test('an agent sees no admin pages (admins only by address); an agent with an open conversation cannot be deleted', async () => {
    const page = await newPage(PHONE);
    await logIn(page, agent.email, agent.password);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await page.getByRole('button', { name: 'Menu' }).click();
    // The menu is open (its shared pages show), without the admin pages.
    await nav.getByRole('link', { name: 'Templates', exact: true }).waitFor();
    for (const link of ['Campaigns', 'Agents', 'Teams', 'Rules', 'Numbers', 'API tokens', 'Audit', 'DLQ', 'System']) {
      assert.equal(await nav.getByRole('link', { name: link, exact: true }).count(), 0, `an agent sees ${link}`);
    }
    await page.goto(`${stack.adminUrl}/rules`);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    await page.goto(`${stack.adminUrl}/tokens`);
    await page.getByRole('heading', { name: 'Admins only' }).waitFor();
    await page.goto(`${stack.adminUrl}/campaigns`);
    await page.getByRole('heading', { name: 'Supervisors and admins only' }).waitFor();
    await shot(page, 'admins-only-390');

    // The agent claims a conversation (the General rule queues it for their team) ...
    const customer = `Dora Admin ${RUN}`;
    await sendCustomerMessage(stack, { from: '4917600000001', name: customer, text: 'Hello, anyone there?' });
    await page.goto(stack.adminUrl);
    await page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(customer) }).click();
    // Signed in, the agent is online (heartbeats), so routing may hand it
    // the conversation before the agent claims it: either way it is theirs.
    const claim = page.getByRole('button', { name: 'Claim', exact: true });
    const assigned = page.getByTestId('conversation-status').filter({ hasText: 'Assigned' });
    await Promise.race([claim.waitFor(), assigned.waitFor()]);
    if (await claim.isVisible()) await claim.click();
    await assigned.waitFor();
    await page.context().close();

    // ... so an admin cannot delete them: the 409 says why, and the agent stays.
    const admin = await newPage(DESKTOP);
    await logIn(admin, stack.credentials.admin_email, stack.credentials.admin_password);
    await go(admin, 'Agents', 'Agents');
    await admin.getByRole('button', { name: `Delete ${agent.name}` }).click();
    await admin.getByRole('alertdialog', { name: 'Confirm deletion' }).getByRole('button', { name: `Delete ${agent.name}` }).click();
    await admin.getByRole('alert').filter({ hasText: 'Not possible right now: 1 open conversation(s) are assigned to this agent; transfer them first.' }).waitFor();
    await admin.getByTestId(`agent-${agent.email}`).waitFor();
    await shot(admin, 'agent-delete-409-1280');
    await admin.context().close();
  });
});
