// End to end: the Campaigns page in Debian's Chromium (playwright-core)
// against a real `wharf up` stack. A campaign of 300 CSV recipients is
// created through the form (a bad placeholder first: the API's 422 is shown),
// its draft previews the filled parameters, it is started, paused while
// running (no send moves while paused), resumed, watched until every
// recipient is sent to by the sandbox, and its recipients' CSV downloaded.
// The page is checked at 390×844 too.
// Screenshots go to tests/browser/artifacts/ (gitignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, adminApi, adminPage, eventually, startStackAndBrowser } from './stack.mjs';

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');
const WAIT = 30_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const RUN = Date.now() % 100000;
const ROWS = 300;

let stack;
let browser;

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });
}

async function go(page) {
  const menu = page.getByRole('button', { name: 'Menu' });
  if (await menu.isVisible() && (await menu.getAttribute('aria-expanded')) !== 'true') await menu.click();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns', exact: true }).click();
  await page.getByRole('heading', { name: 'Campaigns', exact: true, level: 1 }).waitFor();
}

async function num(page, id) {
  return Number(await page.getByTestId(id).innerText());
}

/** Opens the New campaign form and fills it: `meta`'s number, the typed template (the test number has no catalog), one parameter, the CSV. */
async function newCampaignForm(page, { name, meta, parameter, csv }) {
  await go(page);
  await page.getByRole('button', { name: 'New campaign' }).click();
  const form = page.getByRole('form', { name: 'New campaign' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Business number').selectOption(String(meta.id));
  await form.getByRole('textbox', { name: /^Template/ }).fill('spring_promo');
  await form.getByLabel('Language', { exact: true }).fill('en');
  await form.getByRole('button', { name: 'Add parameter' }).click();
  await form.getByLabel('{{1}}').fill(parameter);
  await form.getByLabel('CSV', { exact: true }).fill(csv);
  return form;
}

async function sentOrLater(page) {
  return (await num(page, 'count-sent')) + (await num(page, 'count-delivered')) + (await num(page, 'count-read')) + (await num(page, 'count-replied'));
}

describe('the Campaigns page against a real stack', { timeout: 600_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ stack, browser } = await startStackAndBrowser());
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('create from a CSV, preview, start, pause, resume, watch it complete, download the CSV', async () => {
    const numbers = await adminApi(stack, 'GET', '/api/v1/numbers');
    const meta = numbers.find((n) => n.provider !== 'wasender');
    assert.ok(meta, 'the stack has a Meta number');
    const csv = ['phone,name', ...Array.from({ length: ROWS }, (_, i) => `+49 151 ${RUN} ${String(i).padStart(4, '0')},Customer ${i}`)].join('\n');
    const name = `Spring sale ${RUN}`;

    const page = await adminPage(browser, stack, DESKTOP, WAIT);
    const form = await newCampaignForm(page, { name, meta, parameter: '{{csv.nickname}}', csv });
    await form.getByLabel('Rate (sends per second)').fill('20');
    assert.equal(await form.getByTestId('csv-preview').innerText(), `${ROWS} rows; header: phone, name`);

    // A placeholder for a column the CSV lacks: the API's 422 detail beside the form, nothing created.
    await form.getByRole('button', { name: 'Create draft' }).click();
    const error = await form.getByTestId('create-error').innerText();
    assert.match(error, /nickname/, `the 422 names the column: ${error}`);
    assert.equal((await adminApi(stack, 'GET', '/api/v1/campaigns')).length, 0);

    await form.getByLabel('{{1}}').fill('{{csv.name}}');
    await form.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split('/').pop());
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    assert.equal(await page.getByTestId('campaign-state').innerText(), 'draft');
    assert.equal(await num(page, 'count-recipients'), ROWS);
    assert.equal(await num(page, 'count-pending'), ROWS);
    assert.equal(await page.getByRole('heading', { name: /Recipients: 300/ }).count(), 1);
    // The preview: the first recipients' filled parameters.
    const params = await page.getByTestId('recipient-params').allInnerTexts();
    assert.equal(params.length, 50);
    for (const p of params) assert.match(p, /^Customer \d+$/);
    assert.ok(await page.getByRole('button', { name: 'Next' }).isEnabled(), 'more pages of recipients');
    await shot(page, 'campaign-draft-1280');

    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await eventually('the campaign running with sends', WAIT, async () =>
      (await page.getByTestId('campaign-state').innerText()) === 'running' && (await sentOrLater(page)) > 0);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await eventually('the campaign paused', WAIT, async () => (await page.getByTestId('campaign-state').innerText()) === 'paused');
    assert.equal(await page.getByTestId('paused-by').innerText(), 'Paused by a person');
    // Messages already made are held: once settled, nothing moves while paused.
    let held = -1;
    await eventually('the paused campaign to settle', WAIT, async () => {
      const now = await sentOrLater(page);
      const same = now === held;
      held = now;
      await page.waitForTimeout(2500);
      return same;
    });
    assert.ok(held > 0 && held < ROWS, `paused mid-run (${held} of ${ROWS} sent)`);
    await page.waitForTimeout(3000);
    assert.equal(await sentOrLater(page), held, 'no send while paused');
    await shot(page, 'campaign-paused-1280');

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await eventually('the campaign complete', 180_000, async () =>
      (await page.getByTestId('campaign-state').innerText()) === 'completed');
    assert.equal(await page.getByTestId('progress').innerText(), `${ROWS} / ${ROWS} (100 %)`);
    assert.equal(await num(page, 'count-pending'), 0);
    assert.equal(await page.getByTestId('progress-chart').getAttribute('aria-label'), `Sent or later over time: ${ROWS} of ${ROWS}`);
    // The chart drew the run: points rising from the pause's level (and below) to the top.
    const points = (await page.getByTestId('progress-chart').locator('polyline').getAttribute('points')).split(' ');
    assert.ok(points.length > 5, `the chart sampled the run (${points.length} points)`);
    assert.equal(await num(page, 'count-failed'), 0);
    assert.equal(await page.getByRole('group', { name: 'Actions' }).count(), 0, 'a completed campaign offers no action');
    const api = await adminApi(stack, 'GET', `/api/v1/campaigns/${id}`);
    assert.equal(api.counts.sent + api.counts.delivered + api.counts.read + api.counts.replied, ROWS);
    await shot(page, 'campaign-completed-1280');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `campaign-${id}-spring-sale-${RUN}-recipients.csv`);
    const lines = readFileSync(await download.path(), 'utf8').trimEnd().split(/\r?\n/);
    assert.equal(lines.length, ROWS + 1, 'a header and one line per recipient');

    // The list: state, progress; the state filter.
    await go(page);
    const row = page.getByTestId(`campaign-row-${id}`);
    assert.equal(await row.getByTestId('campaign-state').innerText(), 'completed');
    assert.equal(await row.getByTestId('campaign-progress').innerText(), `${ROWS} / ${ROWS}`);
    await page.getByLabel('State').selectOption('draft');
    await page.getByText('No draft campaigns.').waitFor();

    // A phone: the list and the detail reflow, nothing wider than the window.
    await page.setViewportSize(PHONE);
    await page.getByLabel('State').selectOption('');
    await row.waitFor();
    await row.getByRole('link', { name }).click();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    await page.getByTestId('recipient-row').first().waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the campaign page is ${overflow}px wider than a phone`);
    await shot(page, 'campaign-390');
    await go(page);
    await page.getByRole('button', { name: 'New campaign' }).click();
    const phoneForm = page.getByRole('form', { name: 'New campaign' });
    await phoneForm.getByLabel('CSV', { exact: true }).fill('phone,city\n+49 151 1,Berlin\n+49 151 2,Bonn');
    assert.equal(await phoneForm.getByTestId('csv-preview').innerText(), '2 rows; header: phone, city');
    assert.match(await phoneForm.innerText(), /\{\{csv\.city\}\}/, 'the CSV\'s columns are offered as placeholders');
    const formOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(formOverflow <= 0, `the form is ${formOverflow}px wider than a phone`);
    await shot(page, 'campaign-new-390');
  });

  test('a draft changed meanwhile: Start says so and reloads; Delete asks, then removes the draft', async () => {
    const meta = (await adminApi(stack, 'GET', '/api/v1/numbers')).find((n) => n.provider !== 'wasender');
    const draft = await adminApi(stack, 'POST', '/api/v1/campaigns', {
      name: `Draft ${RUN}`, business_number_id: meta.id, template_name: 'spring_promo', template_language: 'en',
      parameters: ['{{csv.name}}'], audience: { csv: `phone,name\n+49 152 ${RUN} 01,Ada\n+49 152 ${RUN} 02,Bea` },
    });
    const page = await adminPage(browser, stack, DESKTOP, WAIT);
    await page.goto(`${stack.adminUrl}/campaigns/${draft.id}`);
    await page.getByRole('heading', { name: `Draft ${RUN}`, level: 1 }).waitFor();
    // The recipients load after the campaign.
    await page.getByTestId('recipient-params').nth(1).waitFor();
    assert.deepEqual((await page.getByTestId('recipient-params').allInnerTexts()).sort(), ['Ada', 'Bea']);
    // Someone renames it meanwhile: the page's version is stale.
    await adminApi(stack, 'PATCH', `/api/v1/campaigns/${draft.id}`, { version: draft.version, name: `Renamed ${RUN}` });
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'changed meanwhile, reloaded' }).waitFor();
    await page.getByRole('heading', { name: `Renamed ${RUN}`, level: 1 }).waitFor();
    assert.equal(await page.getByTestId('campaign-state').innerText(), 'draft');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('alertdialog', { name: 'Confirm deletion' }).getByRole('button', { name: 'Delete the draft' }).click();
    await page.getByRole('heading', { name: 'Campaigns', level: 1 }).waitFor();
    await page.waitForURL(/\/campaigns$/);
    assert.equal((await adminApi(stack, 'GET', '/api/v1/campaigns')).some((c) => c.id === draft.id), false);
    assert.equal(await page.getByTestId(`campaign-row-${draft.id}`).count(), 0);
  });

  test('a send window set in the form holds the started campaign until its hours', async () => {
    const meta = (await adminApi(stack, 'GET', '/api/v1/numbers')).find((n) => n.provider !== 'wasender');
    const name = `Evening offer ${RUN}`;
    const page = await adminPage(browser, stack, DESKTOP, WAIT);
    const form = await newCampaignForm(page, {
      name, meta, parameter: '{{csv.name}}', csv: `phone,name\n+49 153 ${RUN} 01,Ada\n+49 153 ${RUN} 02,Bea`,
    });
    // Hours that begin two hours from now (UTC), every day.
    const clock = (hours) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(11, 16);
    const [from, to] = [clock(2), clock(3)];
    await form.getByLabel('Send only at certain hours').check();
    await form.locator('#campaign-form-hoursTimeZone').fill('UTC');
    await form.locator('#campaign-form-hoursFrom').fill(from);
    await form.locator('#campaign-form-hoursTo').fill(to);
    for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri']) await form.getByLabel(day, { exact: true }).uncheck();
    await form.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL(/\/campaigns\/\d+$/);
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    assert.equal(await page.getByTestId('send-window').innerText(), `every day ${from}–${to} UTC`);

    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('send-window').getByText('waiting for its hours').waitFor();
    assert.equal(await page.getByTestId('campaign-state').innerText(), 'running');
    // The feeder runs every 250 ms: two seconds later, still nothing made.
    await new Promise((r) => setTimeout(r, 2000));
    await page.reload();
    await page.getByRole('heading', { name, level: 1 }).waitFor();
    assert.equal(await num(page, 'count-pending'), 2);
    assert.equal(await num(page, 'count-queued') + await sentOrLater(page), 0);
    await shot(page, 'campaign-send-window-1280');
    await page.context().close();
  });
});
