// The wharf-client package against a running `wharf up` stack: receives a
// real signed webhook (`message.received`) and verifies it, lists
// conversations, replies to the customer's and fetches the stats.
//
//   WHARF_ADMIN_URL=http://127.0.0.1:8080 WHARF_TOKEN=… \
//   WHARF_EDGE_URL=http://127.0.0.1:8081 WHARF_PHONE_NUMBER_ID=… WHARF_APP_SECRET=… \
//   npm run example
//
// (all five are in `data/stack.json`; the last three only stand in for Meta,
// which sends the customer's message to the edge in production).
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWharfClient, verifyWebhook, WebhookVerificationError, type MessageReceivedEvent } from 'wharf-client';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const client = createWharfClient(env('WHARF_ADMIN_URL'), env('WHARF_TOKEN'));

// 1. A receiver for the webhooks, on a free loopback port.
const deliveries: { headers: IncomingHttpHeaders; body: Buffer }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    deliveries.push({ headers: req.headers, body: Buffer.concat(chunks) });
    res.writeHead(204).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const port = (receiver.address() as AddressInfo).port;

// 2. An endpoint for it: its signing secret is in this answer only.
const created = await client.POST('/api/v1/webhooks', {
  body: {
    url: `http://127.0.0.1:${port}/wharf`,
    description: 'wharf-client TypeScript example',
    event_types: ['message.received'],
  },
});
if (!created.data) throw new Error(`creating the endpoint failed: ${JSON.stringify(created.error)}`);
const { webhook, secret } = created.data;
console.log(`webhook endpoint ${webhook.id} -> ${webhook.url_origin}`);

try {
  // 3. A customer writes (signed as Meta signs), until the event arrives:
  //    an endpoint may miss the first 2 s of its life (docs/webhooks.md).
  const wamid = `wamid.example-ts-${randomUUID()}`;
  let event: MessageReceivedEvent | undefined;
  for (let attempt = 0; attempt < 10 && !event; attempt++) {
    await customerWrites(attempt === 0 ? wamid : `${wamid}-${attempt}`, 'Hello from the TypeScript example');
    event = await received(3000, (e) => e.data.message.provider_message_id.startsWith(wamid));
  }
  if (!event) throw new Error('no message.received arrived within 30 s');
  const conversation = event.data.conversation;
  console.log(`verified ${event.type} ${event.id} for conversation ${conversation.id}: "${event.data.message.text}" from ${event.data.contact.wa_id}`);

  // 4. List conversations (newest first): the customer's is there.
  const list = await client.GET('/api/v1/conversations', { params: { query: { limit: 20 } } });
  if (!list.data) throw new Error(`listing failed: ${JSON.stringify(list.error)}`);
  const found = list.data.items.find((c) => c.id === conversation.id);
  if (!found) throw new Error(`conversation ${conversation.id} is not listed`);
  console.log(`listed ${list.data.items.length} conversations; #${found.id} is ${found.status}`);

  // 5. Reply to it.
  const reply = await client.POST('/api/v1/conversations/{id}/reply', {
    params: { path: { id: conversation.id } },
    body: { text: 'Thanks! An agent will be with you shortly.' },
  });
  if (!reply.data) throw new Error(`reply failed: ${JSON.stringify(reply.error)}`);
  console.log(`replied: message ${reply.data.id} is ${reply.data.status}`);

  // 6. The stats.
  const stats = await client.GET('/api/v1/stats');
  if (!stats.data) throw new Error(`stats failed: ${JSON.stringify(stats.error)}`);
  const counts = stats.data.conversations.map((c) => `${c.status}=${c.count}`).join(' ');
  console.log(`stats: ${stats.data.streams.length} streams, conversations ${counts}`);
} finally {
  await client.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: webhook.id } } });
  receiver.close();
}
console.log('typescript example: ok');

/** Posts a customer's text message to the edge, signed with the number's app secret. */
async function customerWrites(wamid: string, text: string): Promise<void> {
  const number = env('WHARF_PHONE_NUMBER_ID');
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '1', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550100', phone_number_id: number },
      contacts: [{ profile: { name: 'TypeScript Example' }, wa_id: '4915100000002' }],
      messages: [{ from: '4915100000002', id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
    } }] }],
  });
  const signature = createHmac('sha256', env('WHARF_APP_SECRET')).update(body).digest('hex');
  const answer = await fetch(`${env('WHARF_EDGE_URL')}/webhooks/meta`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
    body,
  });
  if (!answer.ok) throw new Error(`the edge answered ${answer.status}`);
}

/**
 * The first `message.received` within `ms` that verifies and matches, typed
 * by the spec (`MessageReceivedEvent`); a delivery that does not verify is an error.
 */
async function received(ms: number, matches: (e: MessageReceivedEvent) => boolean): Promise<MessageReceivedEvent | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    for (const { headers, body } of deliveries.splice(0)) {
      const event = verifyWebhook(secret, headers, body);
      // A changed body must not verify.
      try {
        verifyWebhook(secret, headers, Buffer.concat([body, Buffer.from(' ')]));
        throw new Error('a tampered body verified');
      } catch (err) {
        if (!(err instanceof WebhookVerificationError)) throw err;
      }
      if (event.type !== 'message.received') continue;
      // Verified: the same body, as the spec types this event.
      const typed = event as unknown as MessageReceivedEvent;
      if (matches(typed)) return typed;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
