// End to end: the Campaigns page (issue 25) against a real `wharf up` stack
// in Debian's Chromium. An admin creates a campaign from a pasted CSV of 40
// phone numbers with a `{{csv.name}}` parameter and a cap of 4 sends per
// second, sees the audience and the filled parameters, starts it, pauses it
// (the reached count stops moving), resumes it, watches it complete with all
// 40 reached as the sandbox sends and acknowledges, and downloads the
// recipients' CSV.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { adminApi, adminPage, eventually, startStackAndBrowser } from './stack.mjs';

const WAIT = 30_000;
const DESKTOP = { width: 1440, height: 900 };

let stack;
let browser;

const count = async (page, name) => Number(await page.getByTestId(`count-${name}`).textContent());

describe('the Campaigns page against a real stack', { timeout: 300_000 }, () => {
  before(async () => {
    ({ stack, browser } = await startStackAndBrowser());
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('create, start, pause, resume and watch a campaign, then download its recipients', async () => {
    const page = await adminPage(browser, stack, DESKTOP, WAIT);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await page.getByRole('heading', { name: 'Campaigns' }).waitFor();
    await page.getByRole('button', { name: 'New campaign' }).click();

    const form = page.getByRole('region', { name: 'New campaign' });
    await form.getByLabel('Name', { exact: true }).fill('Spring launch');
    await form.getByLabel('Template', { exact: true }).fill('order_update');
    await form.getByLabel('Language', { exact: true }).fill('en');
    await form.getByRole('textbox', { name: 'Parameter 1', exact: true }).fill('{{csv.name}}');
    const rows = Array.from({ length: 40 }, (_, i) => `+49171${String(i).padStart(7, '0')},Kunde ${i}`);
    await form.getByRole('textbox', { name: 'CSV', exact: true }).fill(`phone,name\n${rows.join('\n')}\n`);
    assert.match(await form.getByTestId('csv-preview').textContent(), /^40 rows; columns phone, name$/);
    await form.getByRole('textbox', { name: 'Sends per second', exact: true }).fill('4');
    await form.getByRole('button', { name: 'Create draft' }).click();

    await page.getByRole('heading', { name: 'Spring launch' }).waitFor();
    assert.equal(await page.getByTestId('campaign-state').textContent(), 'draft');
    assert.equal(await count(page, 'recipients'), 40);
    assert.equal(await count(page, 'pending'), 40);
    await page.getByTestId('recipient-list').getByRole('cell', { name: 'Kunde 7', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Start now' }).click();
    await eventually('some recipients reached', WAIT, async () => (await count(page, 'reached')) >= 4);
    await page.getByRole('button', { name: 'Pause' }).click();
    await eventually('paused', WAIT, async () => (await page.getByTestId('campaign-state').textContent()) === 'paused');
    // What was in flight settles; then nothing more is reached while paused.
    await page.waitForTimeout(3000);
    const held = await count(page, 'reached');
    await page.waitForTimeout(3000);
    assert.equal(await count(page, 'reached'), held, 'reached while paused');
    assert.ok(held < 40, `paused too late to show anything: ${held}`);

    await page.getByRole('button', { name: 'Resume' }).click();
    await eventually('completed', 90_000, async () => (await page.getByTestId('campaign-state').textContent()) === 'completed');
    await eventually('all 40 reached', WAIT, async () => (await count(page, 'reached')) === 40);
    assert.equal(await count(page, 'failed'), 0);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 41, lines.join('\n'));
    assert.match(lines[0], /^recipient_id,contact_id,wa_id,phone,name,status/);
    assert.ok(lines.slice(1).every((l) => /,(sent|delivered|read),/.test(l)), lines.join('\n'));

    // The API agrees with the page.
    const [campaign] = await adminApi(stack, 'GET', '/api/v1/campaigns?state=completed');
    assert.equal(campaign.name, 'Spring launch');
    assert.equal(campaign.counts.sent + campaign.counts.delivered + campaign.counts.read, 40);
    await page.context().close();
  });
});
