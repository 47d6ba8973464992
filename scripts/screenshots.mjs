// Screenshots of the agents' workplace for docs/dashboard.md: starts a real
// `wharf up` stack like the browser tests (tests/browser/stack.mjs), seeds
// a few conversations and an approved template through signed webhooks,
// and writes docs/dashboard-*.png and docs/dashboard.md. Run from web/:
// `npm run build && npm run screenshots` (WHARF_BIN names the binary).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, adminApi, adminPage, approveTemplate, eventually, sendCustomerMessage, startStackAndBrowser } from '../tests/browser/stack.mjs';

const DOCS = join(REPO, 'docs');
const WAIT = 30_000;
const now = Math.floor(Date.now() / 1000);

const CUSTOMERS = [
  { from: '351910000001', name: 'Marta Silva', text: 'Hi! My order #4821 has not arrived yet, can you check?', ts: now - 1500 },
  { from: '491510000002', name: 'Jonas Weber', text: 'Can I change the delivery address?', ts: now - 900 },
  { from: '447700900003', name: 'Priya Shah', text: 'The size M is too small, how do I swap it?', ts: now - 400 },
  { from: '5511900000004', name: 'Lucas Costa', text: 'Obrigado, tudo certo!', ts: now - 120 },
  // Quiet for more than a day: only a template can reach him.
  { from: '33612000005', name: 'Hugo Martin', text: 'Any news about the refund?', ts: now - 30 * 3600 },
];

const TOUR = `# The agents' workplace

<!-- Written by scripts/screenshots.mjs (\`cd web && npm run build && npm run screenshots\`): edit the script, not this file. -->

A short tour of the dashboard an agent works in. The pictures come from a
real \`wharf up\` stack with a few customers written in by signed webhooks.

## The inbox

![The inbox at 1280 px, a conversation open](dashboard-inbox-1280.png)

- **The list** (left): newest activity first, or longest waiting. Each row
  shows who wrote, the last message, unread messages (bold, with a count),
  how long the customer has waited, the status with the assignee, and labels.
  It updates live (the "Live" badge; while the stream is down it polls).
- **Filters**: search (messages, names, numbers), status, business number,
  agent, team, label, "Mine", "Unassigned", "Snoozed". The filters are in the
  address, so a filtered inbox can be linked.
- **Default view**: "Save as my default view" keeps the current filters and
  order as the agent's default; the inbox opens with it at sign-in. It is
  kept in this browser's localStorage under the agent's id (another browser
  does not have it); "Forget my default" removes it.
- **Notifications** (the bell): the tab's title counts unread customer
  messages ("(3) Wharf"). Optional, off by default and kept per agent in
  this browser: a short beep on a new customer message, and browser
  notifications, for which the browser asks permission when they are
  turned on; they show only while the tab is hidden, and a click opens the
  conversation.
- **The conversation** (right): the timeline with delivery ticks, the
  customer's details, assignment, labels and internal notes, and the reply
  box (\`/\` inserts a canned response, a file can be dropped in, Ctrl+Enter
  sends). Keyboard: \`j\`/\`k\` move in the list, Enter opens, \`r\` replies,
  Escape goes back, \`?\` lists the shortcuts.

## Outside the 24 h window: templates

![A conversation whose window closed, the template picker filled in](dashboard-conversation-1280.png)

More than 24 hours after the customer's last message WhatsApp allows only
approved templates. The reply box then opens the **template picker** by
itself (inside the window, "Use a template" opens it): the business
number's approved templates, searchable by name, language, category or
text. Choosing one shows its body with one field per placeholder
(\`{{1}}\`, \`{{2}}\`, …), filled into the preview as the agent types; "Send
template" is enabled once every field has a value. If the server refuses
the template (paused or no longer approved since the list was read), its
answer is shown and the list is read again.

## On a phone

![The inbox at 390 px](dashboard-phone-390.png)

At phone width the navigation folds behind "Menu", the list fills the
screen and a conversation opens over it (← goes back); tables become cards.
`;

const { stack, browser } = await startStackAndBrowser();
try {
  for (const c of CUSTOMERS) await sendCustomerMessage(stack, c);
  const waba = await eventually('the number to know its account', WAIT, async () =>
    (await adminApi(stack, 'GET', '/api/v1/numbers')).find((n) => n.phone_number_id === stack.credentials.phone_number_id)?.waba_id);
  await approveTemplate(stack, { waba, name: 'refund_update', language: 'en', body: 'Hi {{1}}, your refund of {{2}} was sent today.' });
  await approveTemplate(stack, { waba, name: 'order_shipped', language: 'en', body: 'Good news {{1}}: order {{2}} is on its way.' });
  const hugo = await eventually('the conversations', WAIT, async () =>
    (await adminApi(stack, 'GET', '/api/v1/conversations?q=Hugo')).items[0]?.id);
  const marta = (await adminApi(stack, 'GET', '/api/v1/conversations?q=Marta')).items[0].id;

  // The inbox at 1280 px, one conversation open.
  const page = await adminPage(browser, stack, { width: 1280, height: 760 }, WAIT);
  await page.getByTestId('conversation-list').getByRole('link', { name: /Priya Shah/ }).waitFor();
  await page.goto(`${stack.adminUrl}/conversations/${marta}`);
  await page.getByRole('heading', { name: 'Marta Silva' }).waitFor();
  await page.getByLabel('Write a reply').fill('Hi Marta, let me look that up for you.');
  await page.screenshot({ path: join(DOCS, 'dashboard-inbox-1280.png') });

  // A conversation outside the 24 h window: the template picker, filled in.
  await page.goto(`${stack.adminUrl}/conversations/${hugo}`);
  await page.getByTestId('template-picker').waitFor();
  await page.getByTestId('pick-refund_update-en').click();
  await page.getByLabel('Parameter {{1}}').fill('Hugo');
  await page.getByLabel('Parameter {{2}}').fill('€42.90');
  await page.screenshot({ path: join(DOCS, 'dashboard-conversation-1280.png') });
  await page.context().close();

  // The phone layout: the list, then nothing wider than the screen.
  const phone = await adminPage(browser, stack, { width: 390, height: 760 }, WAIT);
  await phone.getByTestId('conversation-list').getByRole('link', { name: /Priya Shah/ }).waitFor();
  await phone.screenshot({ path: join(DOCS, 'dashboard-phone-390.png') });
  await phone.context().close();

  writeFileSync(join(DOCS, 'dashboard.md'), TOUR);
  console.log('wrote docs/dashboard.md and docs/dashboard-{inbox-1280,conversation-1280,phone-390}.png');
} finally {
  await browser.close();
  await stack.stop();
}
