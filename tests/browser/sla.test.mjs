// End to end: SLA policies (issue 24, items 3 and 5). An admin creates a
// policy with a 20 s first-response target on the SLA policies page; a
// customer's new conversation shows "due in …" in the inbox and turns red
// ("SLA breached") once the target passed unanswered. In Debian's Chromium
// against a real `wharf up` stack (its admin server sweeps the SLAs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, adminApi, adminPage, eventually, sendCustomerMessage, startStackAndBrowser } from './stack.mjs';

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');
const WAIT = 30_000;
const DESKTOP = { width: 1440, height: 900 };
const RUN = Date.now() % 100000;
const TARGET_SECS = 20;

let stack;
let browser;

describe('SLA policies against a real stack', { timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ stack, browser } = await startStackAndBrowser());
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('a policy made on the admin page turns an unanswered conversation\'s badge red', async () => {
    const page = await adminPage(browser, stack, DESKTOP, WAIT);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'SLA policies' }).click();
    await page.getByRole('heading', { name: 'SLA policies' }).waitFor();
    await page.getByRole('button', { name: 'New SLA policy' }).click();
    const form = page.getByRole('form', { name: 'New SLA policy' });
    await form.getByLabel('Policy name').fill(`Fast ${RUN}`);
    // Refused in the form, nothing sent: no target at all.
    await form.getByRole('button', { name: 'Create SLA policy' }).click();
    await form.getByRole('alert').filter({ hasText: 'Set at least one target' }).waitFor();
    assert.deepEqual(await adminApi(stack, 'GET', '/api/v1/sla-policies'), []);
    await form.getByLabel('First response (seconds)').fill(String(TARGET_SECS));
    await form.getByRole('button', { name: 'Create SLA policy' }).click();
    const row = page.getByRole('row', { name: new RegExp(`Fast ${RUN}`) });
    await row.waitFor();
    assert.match(await row.innerText(), /Every conversation[\s\S]*20 s/);
    const [policy] = await adminApi(stack, 'GET', '/api/v1/sla-policies');
    assert.equal(policy.first_response_secs, TARGET_SECS);

    const name = `Una Unanswered ${RUN}`;
    await sendCustomerMessage(stack, { from: '4915177772401', name, text: 'Is anyone there?' });
    // The admin server's sweep gives it its due time.
    const conv = await eventually('the conversation\'s SLA', WAIT, async () => {
      const list = (await adminApi(stack, 'GET', '/api/v1/conversations?limit=200')).items;
      return list.find((c) => c.contact.profile_name === name && c.sla);
    });
    assert.equal(conv.sla.policy_id, policy.id);
    assert.equal(conv.sla.target, 'first_response');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    const badge = page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(name) }).getByTestId('list-sla');
    await badge.waitFor();
    const first = await badge.innerText();
    if (first !== 'SLA breached') assert.match(first, /^due in \d+s$/);
    // Unanswered past the target: red.
    await badge.filter({ hasText: 'SLA breached' }).waitFor({ timeout: 90_000 });
    assert.equal(await badge.getAttribute('data-tone'), 'breached');
    await page.screenshot({ path: join(ARTIFACTS, 'sla-breached-1440.png') });
    const breached = await eventually('the recorded breach', WAIT, async () => {
      const detail = await adminApi(stack, 'GET', `/api/v1/conversations/${conv.id}`);
      return detail.conversation.sla?.breach === 'first_response' && detail.conversation.sla;
    });
    assert.equal(breached.state, 'breached');
    await page.context().close();
  });
});
