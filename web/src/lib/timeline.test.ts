import { describe, expect, test } from 'vitest';
import type { Message } from '../api/client';
import { buildTimeline, contentOf, coordinates, locationOf, mapLink, quoteText, reactionEmoji, type BubbleItem, type TimelineItem } from './timeline';

let seq = 0;
function msg(extra: Partial<Message> & { kind?: string }): Message {
  seq += 1;
  const t = new Date(Date.UTC(2026, 5, 10, 12, 0, seq)).toISOString();
  return {
    id: seq, direction: 'inbound', provider: 'meta', provider_message_id: `wamid.${seq}`, kind: 'text', status: 'received',
    provider_timestamp: t, created_at: t, payload: {}, ...extra,
  };
}

const bubbles = (items: TimelineItem[]) => items.filter((i): i is BubbleItem => i.type === 'bubble');

describe('locations', () => {
  const payload = { type: 'location', location: { latitude: 52.521918, longitude: 13.413215, name: 'Filiale Alexanderplatz', address: 'Alexanderplatz 1, 10178 Berlin', url: 'https://example-shop.de/x' } };

  test('a location shows its coordinates, name, address and an OpenStreetMap link', () => {
    const c = contentOf(msg({ kind: 'location', body: 'Filiale Alexanderplatz', payload }));
    expect(c.type).toBe('location');
    if (c.type !== 'location') return;
    expect(c.location).toMatchObject({ latitude: 52.521918, longitude: 13.413215, name: 'Filiale Alexanderplatz', address: 'Alexanderplatz 1, 10178 Berlin' });
    expect(c.location.mapUrl).toBe('https://www.openstreetmap.org/?mlat=52.521918&mlon=13.413215#map=16/52.521918/13.413215');
    expect(coordinates(c.location.latitude, c.location.longitude)).toBe('52.521918, 13.413215');
  });

  test('coordinates are rounded to 6 decimals, and WasenderApi locations are read too', () => {
    expect(coordinates(-33.8688197123, 151.20929571)).toBe('-33.86882, 151.209296');
    expect(locationOf({ message: { locationMessage: { degreesLatitude: '48.1', degreesLongitude: 11.5 } } }))
      .toMatchObject({ latitude: 48.1, longitude: 11.5, name: null, mapUrl: mapLink(48.1, 11.5) });
  });

  test('a location without usable coordinates falls back to its text; a non-http url is dropped', () => {
    expect(contentOf(msg({ kind: 'location', body: 'Somewhere', payload: { location: { latitude: 'x', longitude: 1 } } })))
      .toEqual({ type: 'text', text: 'Somewhere' });
    expect(locationOf({ location: { latitude: 91, longitude: 0 } })).toBeNull();
    expect(locationOf({ location: { latitude: 1, longitude: 2, url: 'javascript:alert(1)' } })?.url).toBeNull();
  });
});

test('an unknown type says which provider type it is, never hidden; unsupported gives its error', () => {
  expect(contentOf(msg({ kind: 'unknown', payload: { type: 'hologram', hologram: {} } })))
    .toEqual({ type: 'unsupported', text: 'Unsupported message type: hologram', error: null });
  expect(contentOf(msg({ kind: 'unknown', payload: {} }))).toMatchObject({ text: 'Unsupported message type: unknown' });
  expect(contentOf(msg({ kind: 'unsupported', payload: { type: 'unsupported', unsupported: { type: 'poll' }, errors: [{ code: 131051, title: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] } })))
    .toEqual({ type: 'unsupported', text: 'Unsupported message type: poll', error: 'Message type is currently not supported.' });
  const items = buildTimeline([msg({ kind: 'unknown', payload: { type: 'hologram' } })]);
  expect(items).toHaveLength(1);
  expect(items[0].type).toBe('bubble');
});

describe('reactions', () => {
  test('a reaction sits on the message it reacts to, not in a bubble of its own', () => {
    const target = msg({ body: 'Where is my order?' });
    const other = msg({ body: 'Hello?' });
    const reaction = msg({ kind: 'reaction', body: '👍', reply_to: target.provider_message_id, payload: { reaction: { message_id: target.provider_message_id, emoji: '👍' } } });
    const items = buildTimeline([target, other, reaction]);
    expect(items.map((i) => i.message.id)).toEqual([target.id, other.id]);
    expect(bubbles(items)[0].reactions).toEqual([{ emoji: '👍', by: 'customer', at: reaction.provider_timestamp }]);
    expect(bubbles(items)[1].reactions).toEqual([]);
  });

  test('a newer reaction replaces the older one of the same side; one without emoji removes it', () => {
    const target = msg({ direction: 'outbound', status: 'read', body: 'Your parcel ships today' });
    const r1 = msg({ kind: 'reaction', body: '👍', reply_to: target.provider_message_id });
    const r2 = msg({ kind: 'reaction', body: '❤️', reply_to: target.provider_message_id });
    expect(bubbles(buildTimeline([target, r1, r2]))[0].reactions.map((r) => r.emoji)).toEqual(['❤️']);
    const removed = msg({ kind: 'reaction', reply_to: target.provider_message_id, payload: { reaction: { message_id: target.provider_message_id } } });
    expect(bubbles(buildTimeline([target, r1, r2, removed]))[0].reactions).toEqual([]);
    // Both sides keep one each.
    const mine = msg({ kind: 'reaction', direction: 'outbound', body: '🙏', reply_to: target.provider_message_id });
    expect(bubbles(buildTimeline([target, r1, mine]))[0].reactions.map((r) => `${r.by}:${r.emoji}`)).toEqual(['customer:👍', 'business:🙏']);
  });

  test('the emoji is read from the body or the payload (Meta, WasenderApi)', () => {
    expect(reactionEmoji({ body: undefined, payload: { reaction: { emoji: '😂' } } })).toBe('😂');
    expect(reactionEmoji({ body: undefined, payload: { reaction: { text: '🔥' } } })).toBe('🔥');
    expect(reactionEmoji({ body: '', payload: { reaction: { emoji: '' } } })).toBeNull();
  });

  test('a reaction to a message not in the timeline is a system line; a removed one leaves nothing', () => {
    const r = msg({ kind: 'reaction', body: '👍', reply_to: 'wamid.elsewhere' });
    const items = buildTimeline([r]);
    expect(items).toEqual([{ type: 'system', key: `m${r.id}`, message: r, text: 'The customer reacted 👍 to a message not shown here' }]);
    const gone = msg({ kind: 'reaction', reply_to: 'wamid.elsewhere' });
    expect(buildTimeline([r, gone])).toEqual([]);
  });
});

describe('edits and deletes', () => {
  test('an edited message shows its new text and when, and the edit is no bubble', () => {
    const target = msg({ body: 'Fixed text', edited_at: '2026-06-10T12:05:00Z' });
    const edit = msg({ kind: 'edit', body: 'Fixed text', reply_to: target.provider_message_id });
    const items = buildTimeline([target, edit]);
    expect(items).toHaveLength(1);
    expect(bubbles(items)[0]).toMatchObject({ body: 'Fixed text', editedAt: '2026-06-10T12:05:00Z', deletedAt: null });
  });

  test('an edit the API has not applied yet is applied here', () => {
    const target = msg({ body: 'Old text' });
    const edit = msg({ kind: 'edit', body: 'New text', reply_to: target.provider_message_id });
    expect(bubbles(buildTimeline([target, edit]))[0]).toMatchObject({ body: 'New text', editedAt: edit.provider_timestamp });
  });

  test('a deleted message keeps its text and is marked deleted', () => {
    const target = msg({ body: 'Oops, wrong chat', deleted_at: '2026-06-10T12:06:00Z' });
    const revoke = msg({ kind: 'revoke', reply_to: target.provider_message_id });
    const items = buildTimeline([target, revoke]);
    expect(items).toHaveLength(1);
    expect(bubbles(items)[0]).toMatchObject({ body: 'Oops, wrong chat', deletedAt: '2026-06-10T12:06:00Z' });
    // Without the API's mark, the revoke row marks it.
    const t2 = msg({ body: 'Another' });
    const r2 = msg({ kind: 'revoke', reply_to: t2.provider_message_id });
    expect(bubbles(buildTimeline([t2, r2]))[0].deletedAt).toBe(r2.provider_timestamp);
  });

  test('edits and deletes of messages not shown here are system lines', () => {
    const e = msg({ kind: 'edit', body: 'new', reply_to: 'wamid.old' });
    const d = msg({ kind: 'revoke', reply_to: 'wamid.older' });
    expect(buildTimeline([e, d]).map((i) => i.type === 'system' && i.text)).toEqual([
      'The customer edited a message not shown here: “new”',
      'The customer deleted a message not shown here',
    ]);
  });
});

describe('quotes, echoes and system lines', () => {
  test('a reply quotes the original when it is in the timeline, and says so when not', () => {
    const original = msg({ direction: 'outbound', body: 'Is your address Hauptstr. 5?' });
    const answer = msg({ body: 'Yes', reply_to: original.provider_message_id, payload: { context: { id: original.provider_message_id } } });
    const lost = msg({ body: 'And this?', reply_to: 'wamid.gone' });
    const [, a, l] = bubbles(buildTimeline([original, answer, lost]));
    expect(a.quote).toEqual({ found: true, message: original, text: 'Is your address Hauptstr. 5?' });
    expect(l.quote).toEqual({ found: false, id: 'wamid.gone' });
  });

  test('quotes are short', () => {
    expect(quoteText(msg({ body: 'x'.repeat(300) }), 20)).toHaveLength(20);
    expect(quoteText(msg({ kind: 'image' }))).toBe('(image)');
  });

  test('a message sent from the WhatsApp Business app is marked', () => {
    const echo = msg({ direction: 'outbound', status: 'sent', origin: 'phone_app', body: 'From my phone' });
    expect(bubbles(buildTimeline([echo, msg({ body: 'hi' })])).map((b) => b.fromPhoneApp)).toEqual([true, false]);
  });

  test('system messages are system lines', () => {
    const s = msg({ kind: 'system', body: 'User A changed from +49 1 to +49 2', payload: { system: { body: 'User A changed from +49 1 to +49 2' } } });
    const w = msg({ kind: 'request_welcome' });
    expect(buildTimeline([s, w]).map((i) => [i.type, i.type === 'system' ? i.text : '']))
      .toEqual([['system', 'User A changed from +49 1 to +49 2'], ['system', 'The customer opened the chat (welcome request)']]);
  });

  test('contact cards show names and phones', () => {
    const c = contentOf(msg({ kind: 'contacts', payload: { contacts: [{ name: { formatted_name: 'Jan Weber' }, phones: [{ phone: '+49 30 1234' }] }] } }));
    expect(c).toEqual({ type: 'contacts', cards: [{ name: 'Jan Weber', phones: ['+49 30 1234'] }] });
  });
});
