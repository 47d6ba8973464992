// End to end: the inbox's list against a real `wharf up` stack in Debian's
// Chromium (issue 28): the unread badge appears on a new message and goes
// when the conversation is opened; a search by message text opens the
// conversation at the matching message; a label applied in the details and
// filtered by; a reply names the agent who sent it; a canned response made
// on its page is inserted with `/` and filled for the customer; a customer's
// photo shows inline (and enlarges), a voice note plays, a PDF is a
// download card; a file attached in the reply box (the file picker) is
// sent and shows as a sent document.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { adminApi, adminPage, sendCustomerMedia, sendCustomerMessage, startStackAndBrowser } from './stack.mjs';

const WAIT = 30_000;

/** A WAV file of `seconds` of a 440 Hz tone (8 kHz, 16-bit mono): audio
 * Chromium decodes and plays. */
function wav(seconds) {
  const rate = 8000;
  const samples = Math.round(rate * seconds);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1) data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0); head.writeUInt32LE(36 + data.length, 4); head.write('WAVE', 8);
  head.write('fmt ', 12); head.writeUInt32LE(16, 16); head.writeUInt16LE(1, 20); head.writeUInt16LE(1, 22);
  head.writeUInt32LE(rate, 24); head.writeUInt32LE(rate * 2, 28); head.writeUInt16LE(2, 32); head.writeUInt16LE(16, 34);
  head.write('data', 36); head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}
const DESKTOP = { width: 1440, height: 900 };
const RUN = Date.now() % 100000;

let stack;
let browser;

function logIn(viewport = DESKTOP) {
  return adminPage(browser, stack, viewport, WAIT);
}

const api = (method, path, body) => adminApi(stack, method, path, body);
const list = (page) => page.getByTestId('conversation-list');
const item = (page, name) => list(page).getByRole('link', { name: new RegExp(name) });

describe('the inbox list against a real stack', { timeout: 300_000 }, () => {
  before(async () => {
    ({ stack, browser } = await startStackAndBrowser());
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('a new message shows an unread badge that goes when the conversation is opened; a reply names its agent', async () => {
    const page = await logIn();
    const name = `Una ${RUN}`;
    await sendCustomerMessage(stack, { from: `49151${RUN}01`, name, text: 'Is anyone there?' });
    const row = item(page, name);
    await row.getByTestId('unread-badge').filter({ hasText: '1' }).waitFor();
    assert.match(await row.getByTestId('list-preview').textContent(), /Is anyone there\?/);
    assert.match(await row.getByTestId('list-waiting').textContent(), /^waiting /);
    await row.click();
    await row.getByTestId('unread-badge').waitFor({ state: 'detached' });

    await page.getByLabel('Write a reply').fill('Yes, how can I help?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const mine = page.getByTestId('timeline').locator('.bubble.out').filter({ hasText: 'Yes, how can I help?' });
    const agent = await mine.getByTestId('bubble-agent').textContent();
    const me = await api('GET', '/api/v1/agents').then((agents) => agents.find((a) => a.email === stack.credentials.admin_email));
    assert.equal(agent, me.name);
    await row.getByTestId('list-waiting').waitFor({ state: 'detached' });
    assert.match(await row.getByTestId('list-preview').textContent(), /^You: Yes, how can I help\?/);
  });

  test('a search by words of a message, in any order, opens the conversation at that message', async () => {
    const page = await logIn();
    const name = `Rita ${RUN}`;
    await sendCustomerMessage(stack, { from: `49151${RUN}02`, name, text: `Hi, where is my order #${RUN}? It is late.` });
    await item(page, name).waitFor();
    await page.getByRole('searchbox', { name: 'Search conversations' }).fill(`late order ${RUN}`);
    const hit = item(page, name);
    await hit.getByTestId('list-match').filter({ hasText: `order #${RUN}` }).waitFor();
    assert.equal(await list(page).getByRole('link').count(), 1);
    await hit.click();
    await page.waitForURL(/#msg-\d+$/);
    const target = new URL(page.url()).hash.slice(1);
    await page.locator(`#${target}.found`).waitFor();
  });

  test('a label applied in the details shows as a chip and filters the list', async () => {
    const label = await api('POST', '/api/v1/labels', { name: `VIP ${RUN}`, color: '#d92d20' });
    const page = await logIn();
    const vip = `Vera ${RUN}`;
    const other = `Otto ${RUN}`;
    await sendCustomerMessage(stack, { from: `49151${RUN}03`, name: vip, text: 'Hello' });
    await sendCustomerMessage(stack, { from: `49151${RUN}04`, name: other, text: 'Hello' });
    await item(page, other).waitFor();
    await item(page, vip).click();
    await page.getByLabel('Add a label').selectOption({ label: label.name });
    await page.getByTestId('labels').getByText(label.name).waitFor();
    await item(page, vip).getByTestId('list-labels').getByText(label.name).waitFor();

    await page.getByLabel('Label', { exact: true }).selectOption({ label: label.name });
    await item(page, other).waitFor({ state: 'detached' });
    assert.equal(await list(page).getByRole('link').count(), 1);
    assert.match(page.url(), new RegExp(`label=${label.id}`));

    await page.getByRole('button', { name: `Remove label ${label.name}` }).click();
    await page.getByTestId('list-empty').waitFor();
  });
  test('a canned response made on its page is inserted with / in the reply box, filled for the customer', async () => {
    const page = await logIn();
    await page.goto(`${stack.adminUrl}/canned-responses`);
    await page.getByRole('button', { name: 'New canned response' }).click();
    const form = page.getByRole('form', { name: 'New canned response' });
    await form.getByLabel('Shortcut').fill(`thanks${RUN}`);
    await form.getByLabel('Title').fill('Thank you');
    await form.getByLabel('Text').fill('Thank you {{contact.first_name}}, {{agent.name}} will check {{contact.order}}.');
    await form.getByRole('button', { name: 'Create canned response' }).click();
    await page.getByRole('status').filter({ hasText: `/thanks${RUN} was created.` }).waitFor();
    // A typo in a placeholder is refused with the reason.
    await page.getByRole('button', { name: 'New canned response' }).click();
    const bad = page.getByRole('form', { name: 'New canned response' });
    await bad.getByLabel('Shortcut').fill(`typo${RUN}`);
    await bad.getByLabel('Title').fill('Typo');
    await bad.getByLabel('Text').fill('Hi {{contcat.name}}');
    await bad.getByRole('button', { name: 'Create canned response' }).click();
    assert.match(await bad.getByRole('alert').textContent(), /unknown placeholder/);
    await bad.getByRole('button', { name: 'Cancel' }).click();

    const name = `Cara Diaz ${RUN}`;
    await sendCustomerMessage(stack, { from: `49151${RUN}07`, name, text: 'Can you help?' });
    await page.goto(stack.adminUrl);
    await item(page, name).click();
    const box = page.getByLabel('Write a reply');
    await box.fill('Hello! ');
    await box.press('End');
    await box.pressSequentially(`/thanks${RUN}`);
    const option = page.getByRole('listbox', { name: 'Canned responses' }).getByRole('option', { name: new RegExp(`thanks${RUN}`) });
    await option.waitFor();
    await box.press('Enter');
    const me = await api('GET', '/api/v1/agents').then((agents) => agents.find((a) => a.email === stack.credentials.admin_email));
    assert.equal(await box.inputValue(), `Hello! Thank you Cara, ${me.name} will check {{contact.order}}.`);
    assert.match(await page.getByTestId('canned-missing').textContent(), /\{\{contact\.order\}\}/);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByTestId('timeline').locator('.bubble.out').filter({ hasText: `Thank you Cara, ${me.name}` }).waitFor();
  });
  test("a customer's photo shows inline and enlarges, a voice note plays, a PDF is a download card", async () => {
    const page = await logIn();
    const name = `Mia ${RUN}`;
    const from = `49151${RUN}08`;
    // A 1×1 PNG, a few bytes standing for an Ogg voice note, a small PDF.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    // The conversation is open before the files arrive: each shows once it
    // is fetched and stored (a live event), with no reload.
    await sendCustomerMessage(stack, { from, name, text: 'Look at this' });
    await item(page, name).click();
    await page.getByTestId('timeline').getByText('Look at this').waitFor();
    await sendCustomerMedia(stack, { from, name, kind: 'image', mime: 'image/png', bytes: png, caption: 'It arrived broken' });
    await sendCustomerMedia(stack, { from, name, kind: 'audio', mime: 'audio/wav', bytes: wav(2) });
    await sendCustomerMedia(stack, { from, name, kind: 'document', mime: 'application/pdf', bytes: Buffer.from(`%PDF-1.4 invoice ${RUN}`) });
    const timeline = page.getByTestId('timeline');
    const image = timeline.getByTestId('media-image');
    await image.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="media-image"]')?.naturalWidth === 1);
    assert.match(await image.getAttribute('src'), /^blob:/, 'fetched with the bearer header, no token in a URL');
    // Its box comes from the size the server read from the PNG's header.
    assert.deepEqual([await image.getAttribute('width'), await image.getAttribute('height')], ['1', '1']);
    await timeline.getByText('It arrived broken').waitFor();
    await page.getByRole('button', { name: 'Enlarge the image' }).click();
    await page.getByRole('dialog', { name: 'The image, enlarged' }).waitFor();
    await page.getByRole('button', { name: 'Close' }).click();
    const audio = timeline.getByTestId('media-audio');
    await audio.waitFor();
    assert.match(await audio.getAttribute('src'), /^blob:/);
    // It plays: the player moves past the start.
    await audio.evaluate((a) => a.play());
    await page.waitForFunction(() => {
      const a = document.querySelector('[data-testid="media-audio"]');
      return a && !a.paused && a.currentTime > 0.2;
    });
    const card = timeline.getByTestId('media-file');
    await card.waitFor();
    assert.match(await card.textContent(), /application\/pdf/);
    const download = page.waitForEvent('download');
    await card.getByRole('button', { name: 'Download' }).click();
    const file = await download;
    const saved = await file.path().then((p) => readFileSync(p, 'utf8'));
    assert.equal(saved, `%PDF-1.4 invoice ${RUN}`);
  });
  test('a file attached in the reply box is sent and shows as a sent document', async () => {
    const page = await logIn();
    const name = `Noa ${RUN}`;
    await sendCustomerMessage(stack, { from: `49151${RUN}09`, name, text: 'Can I have the manual?' });
    await item(page, name).click();
    const pdf = Buffer.from(`%PDF-1.7 manual ${RUN}`);
    await page.getByTestId('attach-input').setInputFiles({ name: 'manual.pdf', mimeType: 'application/pdf', buffer: pdf });
    await page.getByTestId('attachment-chip').getByText('manual.pdf').waitFor();
    await page.getByLabel('Caption').fill(`Here it is ${RUN}`);
    await page.getByRole('button', { name: 'Send file' }).click();
    const bubble = page.getByTestId('timeline').locator('.bubble.out').filter({ hasText: `Here it is ${RUN}` });
    await bubble.getByTestId('media-file').waitFor();
    assert.match(await bubble.getByTestId('media-file').textContent(), /manual\.pdf/);
    await page.waitForFunction((text) => [...document.querySelectorAll('.bubble.out')]
      .some((b) => b.textContent.includes(text) && /^(Sent|Delivered|Read)$/.test(b.querySelector('[data-testid="tick"]')?.getAttribute('aria-label') ?? '')), `Here it is ${RUN}`);
    assert.equal(await page.getByTestId('attachment-chip').count(), 0, 'the reply box is cleared');
    // The provider got the file once, the agent's bytes.
    const uploads = await fetch(`${stack.sandboxUrl}/sandbox/uploads`).then((r) => r.json());
    const mine = uploads.uploads.filter((u) => u.filename === 'manual.pdf');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].size, pdf.length);
  });

  test('a reply the provider refused for good is retried from its bubble, once', async () => {
    const page = await logIn();
    const name = `Ugo ${RUN}`;
    // The sandbox refuses recipients ending in 131026 for good (Meta's "undeliverable").
    await sendCustomerMessage(stack, { from: `4915${RUN}131026`, name, text: 'Hello?' });
    await item(page, name).click();
    await page.getByLabel('Write a reply').fill(`We are on it ${RUN}`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const bubbles = page.getByTestId('timeline').locator('.bubble.out').filter({ hasText: `We are on it ${RUN}` });
    const first = bubbles.first();
    await first.getByRole('note').filter({ hasText: 'Not delivered' }).waitFor();
    await first.getByTestId('retry-reply').click();
    await bubbles.nth(1).waitFor();
    assert.equal(await bubbles.count(), 2, 'the retry is a new reply beside the failed one');
    await first.getByTestId('retry-reply').click();
    await first.getByRole('alert').filter({ hasText: /retried already/ }).waitFor();
  });
});
