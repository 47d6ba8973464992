// End to end: the Reports page (issue 24) against a real `wharf up` stack in
// Debian's Chromium. Two customers write through signed webhooks, their
// messages 10 and 2 minutes old; the admin (an agent) answers both from the
// conversation view and resolves one. The Reports page then shows those
// figures (counts; first response median and p90 in words, the exact
// seconds the API measured), grouped by agent with the chart, its CSV
// downloads with the same rows, a range without events says so, a range
// the wrong way round is refused, and on a phone the page is in the menu
// and its table reflows into cards. An SLA policy (first response within
// 5 minutes) makes the slow one breach and miss and the quick one meet: the
// page's SLA table and chart show it, the CSV's SLA columns too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, adminApi, adminPage, eventually, sendCustomerMessage, startStackAndBrowser } from './stack.mjs';

const WAIT = 30_000;
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 390, height: 844 };
const RUN = Date.now() % 100000;

const ARTIFACTS = join(REPO, 'tests', 'browser', 'artifacts');

let stack;
let browser;

async function shot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

function logIn(viewport = DESKTOP) {
  return adminPage(browser, stack, viewport, WAIT);
}

const api = (method, path, body) => adminApi(stack, method, path, body);

/** Opens `name`'s conversation, answers it (as the signed-in agent) and, with `resolve`, claims and resolves it. */
async function answer(page, name, { resolve = false } = {}) {
  await page.getByTestId('conversation-list').getByRole('link', { name: new RegExp(name) }).click();
  await page.getByRole('heading', { name }).waitFor();
  const box = page.getByRole('textbox', { name: 'Write a reply' });
  await box.fill(`On it, ${name}`);
  await box.press('Control+Enter');
  await page.locator('.bubble.out', { hasText: `On it, ${name}` }).waitFor();
  if (!resolve) return;
  await page.getByRole('button', { name: 'Claim', exact: true }).click();
  await page.getByRole('button', { name: 'Resolve', exact: true }).click();
  await page.getByRole('button', { name: 'Reopen', exact: true }).waitFor();
}

describe('the Reports page against a real stack', { timeout: 300_000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    ({ stack, browser } = await startStackAndBrowser());
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('answered and resolved conversations show as figures, a chart and a CSV', async () => {
    await api('POST', '/api/v1/sla-policies', { name: `Five minutes ${RUN}`, first_response_secs: 300 });
    const now = Math.floor(Date.now() / 1000);
    const slow = `Rita Slow ${RUN}`;
    const quick = `Rui Quick ${RUN}`;
    await sendCustomerMessage(stack, { from: `35191${RUN}01`, name: slow, text: 'My parcel never came', ts: now - 600 });
    await sendCustomerMessage(stack, { from: `35191${RUN}02`, name: quick, text: 'Wrong size, can I swap?', ts: now - 120 });
    // The sweep applies the policy before anyone answers: the slow one is breached already (600 s > 300 s).
    await eventually('the SLA policy applied', WAIT, async () => {
      const { items } = await api('GET', '/api/v1/conversations');
      const under = items.filter((c) => c.sla);
      return under.length === 2 && under.some((c) => c.sla.state === 'breached') ? under : null;
    });
    const page = await logIn();
    await answer(page, slow, { resolve: true });
    await answer(page, quick);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/reports');
    // The last 30 days by day (the default): two openings, one resolution, two first responses.
    const totals = page.getByTestId('report-totals');
    await totals.waitFor();
    assert.match(await totals.innerText(), /Opened\s+2\s+0 reopened/);
    assert.match(await totals.innerText(), /Resolved\s+1/);
    assert.deepEqual((await page.getByTestId('report-total').locator('td').allInnerTexts()).slice(0, 4), ['2', '0', '1', '2']);
    assert.match(await page.getByTestId('report-row').first().locator('th').innerText(), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d{2}-\d{2}$/);

    // By agent: the figures are the API's, the durations in words.
    await page.getByRole('button', { name: 'Last 7 days' }).click();
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('agent');
    await page.waitForURL(/range=7&group_by=agent/);
    const from = `${new Date(Date.now() - 6 * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`;
    const to = `${new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}T00:00:00Z`;
    const report = await api('GET', `/api/v1/reports/support?from=${from}&to=${to}&group_by=agent`);
    const me = (await api('GET', '/api/v1/agents')).find((a) => a.email === stack.credentials.admin_email);
    const mine = report.groups.find((g) => g.key === String(me.id));
    assert.ok(mine, JSON.stringify(report));
    const { median_secs: median, p90_secs: p90, count } = mine.first_response;
    assert.equal(count, 2);
    // Measured from the customers' message times (2 and 10 minutes ago) to the replies.
    assert.ok(median >= 120 && median < 300, `median ${median}`);
    assert.ok(p90 >= 600 && p90 < 780, `p90 ${p90}`);
    const resolution = mine.resolution.median_secs;
    assert.ok(resolution >= 600, `resolution ${resolution}`);

    const row = page.getByTestId('report-row').filter({ hasText: me.name });
    await row.waitFor();
    const cells = row.locator('td');
    assert.deepEqual((await cells.allInnerTexts()).slice(0, 4), ['0', '0', '1', '2']);
    assert.equal(await cells.nth(4).getAttribute('data-secs'), String(median));
    assert.equal(await cells.nth(5).getAttribute('data-secs'), String(p90));
    assert.match(await cells.nth(4).innerText(), /^\d+ min( \d+ s)?$/);
    assert.match(await cells.nth(5).innerText(), /^1\d min$/);
    assert.equal(await cells.nth(9).getAttribute('data-secs'), String(resolution));
    const openings = page.getByTestId('report-row').filter({ hasText: 'No agent (openings)' });
    assert.deepEqual((await openings.locator('td').allInnerTexts()).slice(0, 4), ['2', '0', '0', '0']);
    assert.deepEqual((await page.getByTestId('report-total').locator('td').allInnerTexts()).slice(0, 4), ['2', '0', '1', '2']);
    // The signed-in admin's heartbeats made it online: its online time, and no bot share among one resolution.
    assert.match(await page.getByTestId('report-bot-share').innerText(), /Bot-resolved\s+0%\s+0 of 1 resolutions/);
    assert.match(await page.getByTestId('report-online').innerText(), /Agents online\s+\d+ (s|min)/);
    const onlineCell = cells.nth(14);
    assert.ok(Number(await onlineCell.getAttribute('data-secs')) > 0, await row.innerText());

    // The chart: one bar per series and group with a value, titled with it.
    const chart = page.getByTestId('report-chart');
    await page.getByRole('combobox', { name: 'Chart' }).selectOption('first_response');
    const titles = await chart.locator('rect title').allTextContents();
    assert.deepEqual(titles.map((t) => t.split(':')[0]), [`${me.name} · Median`, `${me.name} · p90`]);
    // SLA: the slow reply missed, the quick one met; the breach was recorded while nobody had the conversation.
    await page.getByRole('combobox', { name: 'Chart' }).selectOption('sla');
    const slaTitles = await chart.locator('rect title').allTextContents();
    assert.ok(slaTitles.includes(`${me.name} · Met: 1`) && slaTitles.includes(`${me.name} · Missed: 1`), slaTitles.join('\n'));
    const slaRow = page.getByTestId('sla-row').filter({ hasText: me.name });
    assert.equal(await slaRow.getByTestId('sla-first_response').innerText(), '50% (1 of 2)');
    assert.equal(await slaRow.getByTestId('sla-breaches').innerText(), '0');
    assert.deepEqual((await slaRow.locator('td').allInnerTexts()).slice(0, 2), ['0', '2']);
    const slaNone = page.getByTestId('sla-row').filter({ hasText: 'No agent (openings)' });
    assert.equal(await slaNone.getByTestId('sla-breaches').innerText(), '1');
    assert.equal(await page.getByTestId('sla-total').getByTestId('sla-first_response').innerText(), '50% (1 of 2)');
    await shot(page, 'reports-1440');
    // The navigation (one link longer now) keeps Sign out on the screen at 1440 and 1280 px.
    for (const width of [1440, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than ${width} px`);
      const signOut = await page.getByRole('button', { name: 'Sign out' }).boundingBox();
      assert.ok(signOut.x + signOut.width <= width, `Sign out ends at ${signOut.x + signOut.width} px of ${width}`);
    }
    await page.setViewportSize(DESKTOP);

    // The CSV: fetched with the session's token, the same rows as the API's CSV.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^support-agent-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = readFileSync(await download.path(), 'utf8').trimEnd().split('\r\n');
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0], /^key,name,opened,reopened,resolved,first_response_count,first_response_median_secs,/);
    // Every row has the header's columns.
    for (const line of lines.slice(1)) assert.equal(line.split(',').length, lines[0].split(',').length, line);
    // No bot here: nothing bot-resolved or handed over; the openings have no presence time.
    // No CSAT; the customers' two messages before anyone had them; the breach.
    assert.equal(lines[1], ',,2,0,0,0,,,0,,,0,,,0,0,,,0,0,0,0,,0,,2,0,0,0,,1,0,0,,0,0,0,,0');
    const online = new RegExp(`^${me.id},${me.name},0,0,1,2,${median},${p90},0,,,1,${resolution},${resolution},0,0,,,(\\d+),(\\d+),`
      + '0,0,,0,,0,2,1,1,0\\.5,0,0,0,,0,0,0,,0$');
    assert.match(lines[2], online);
    assert.ok(Number(online.exec(lines[2])[1]) > 0, lines[2]);

    // Business hours: the choice sits in the address and the API answers it; no team has hours here,
    // so every second is a business second and the figures stay as they were.
    const [answered] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/api/v1/reports/support?') && r.url().includes('clock=business')),
      page.getByRole('combobox', { name: 'Times in' }).selectOption('business'),
    ]);
    assert.equal(answered.status(), 200);
    assert.equal((await answered.json()).clock, 'business');
    await page.waitForURL(/clock=business/);
    const businessRow = page.getByTestId('report-row').filter({ hasText: me.name });
    await businessRow.waitFor();
    assert.equal(await businessRow.locator('td').nth(4).getAttribute('data-secs'), String(median));
    await page.getByRole('combobox', { name: 'Times in' }).selectOption('wall');

    // A custom range without events says so; a range the wrong way round is refused before asking.
    await page.getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('From').fill('2025-01-01');
    await page.getByLabel('To').fill('2025-01-31');
    await page.getByTestId('report-empty').waitFor();
    assert.match(await page.getByTestId('report-empty').innerText(), /No support activity/);
    await page.getByLabel('From').fill('2025-02-10');
    assert.match(await page.getByRole('alert').first().innerText(), /start date is after the end date/);
    assert.equal(await page.getByRole('button', { name: 'Download CSV' }).isDisabled(), true);
    // The address keeps the range: a reload shows the same.
    await page.reload();
    await page.getByRole('alert').filter({ hasText: /after the end date/ }).waitFor();
    await page.context().close();
  });

  test('on a phone the page is in the menu and its table reflows into cards', async () => {
    const page = await logIn(PHONE);
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports', exact: true }).waitFor();
    await page.getByRole('combobox', { name: 'Group by' }).selectOption('agent');
    const total = page.getByTestId('report-total');
    await total.waitFor();
    assert.equal(await total.locator('td').first().getAttribute('data-label'), 'Opened');
    const box = await page.getByTestId('report-table').boundingBox();
    assert.ok(box.width <= PHONE.width, `the table is ${box.width} px wide`);
    const chart = await page.getByTestId('report-chart').boundingBox();
    assert.ok(chart.width <= PHONE.width, `the chart is ${chart.width} px wide`);
    await shot(page, 'reports-390');
    await page.context().close();
  });
});
