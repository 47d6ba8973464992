// A conversation's messages as the agent reads them. Some provider messages
// act on others instead of being read on their own: a reaction belongs on
// the message it reacts to (a reaction without emoji takes it back), an edit
// makes its target show "edited" (the API already gives the target its new
// text), a revoke makes it "deleted" (its text kept for audit). They are
// linked by `reply_to` = the target's `provider_message_id`. A normal message
// with `reply_to` quotes the target. One whose target is not in this
// timeline becomes a system line, so nothing the customer did is hidden.
import type { Message } from '../api/client';

/** Kinds that act on another message rather than being a bubble. */
export const ACTION_KINDS = ['reaction', 'edit', 'revoke'] as const;
/** Kinds shown as a centered system line. */
export const SYSTEM_KINDS = ['system', 'request_welcome'] as const;

export type Reaction = { emoji: string; by: 'customer' | 'business'; at: string };

export type Quote =
  | { found: true; message: Message; text: string }
  | { found: false; id: string };

export type Location = {
  latitude: number;
  longitude: number;
  name: string | null;
  address: string | null;
  url: string | null;
  mapUrl: string;
};

/** What a bubble shows as its content. */
export type Content =
  | { type: 'text'; text: string | null }
  | { type: 'location'; location: Location }
  | { type: 'unsupported'; text: string; error: string | null }
  | { type: 'contacts'; cards: { name: string; phones: string[] }[] };

export type BubbleItem = {
  type: 'bubble';
  key: string;
  message: Message;
  /** The text to show (the newest one when the message was edited). */
  body: string | null;
  content: Content;
  reactions: Reaction[];
  quote: Quote | null;
  editedAt: string | null;
  deletedAt: string | null;
  /** Sent from the WhatsApp Business app on the same number (coexistence echo). */
  fromPhoneApp: boolean;
};

export type SystemItem = { type: 'system'; key: string; message: Message; text: string };

export type TimelineItem = BubbleItem | SystemItem;

type Json = Record<string, unknown>;

function obj(v: unknown): Json | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
}

/** The value at `path` in a JSON object, or undefined. */
export function at(v: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = v;
  for (const p of path) {
    if (typeof p === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[p];
    } else {
      const o = obj(cur);
      if (!o) return undefined;
      cur = o[p];
    }
  }
  return cur;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}

function num(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** OpenStreetMap centred on a point, with a marker. */
export function mapLink(latitude: number, longitude: number): string {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
}

/** "52.521918, 13.413215" (at most 6 decimals, about 10 cm). */
export function coordinates(latitude: number, longitude: number): string {
  const f = (n: number) => String(Number(n.toFixed(6)));
  return `${f(latitude)}, ${f(longitude)}`;
}

/** A location message's point: Meta's `location`, or WasenderApi's `message.locationMessage`. */
export function locationOf(payload: unknown): Location | null {
  const meta = obj(at(payload, 'location'));
  const wasender = obj(at(payload, 'message', 'locationMessage')) ?? obj(at(payload, 'locationMessage'));
  const src = meta ?? wasender;
  if (!src) return null;
  const latitude = num(src.latitude ?? src.degreesLatitude);
  const longitude = num(src.longitude ?? src.degreesLongitude);
  if (latitude === null || longitude === null || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  const url = str(src.url);
  return {
    latitude, longitude,
    name: str(src.name), address: str(src.address),
    url: url && /^https?:\/\//i.test(url) ? url : null,
    mapUrl: mapLink(latitude, longitude),
  };
}

/** The provider's own type of a message this build does not know (`kind` unknown). */
export function providerType(m: Pick<Message, 'kind' | 'payload'>): string {
  if (m.kind === 'unsupported') {
    return str(at(m.payload, 'unsupported', 'type')) ?? str(at(m.payload, 'type')) ?? 'unknown';
  }
  return str(at(m.payload, 'type')) ?? str(at(m.payload, 'messageType')) ?? 'unknown';
}

/** The provider's error on an unsupported message ("Message type is currently not supported."). */
function unsupportedError(payload: unknown): string | null {
  return str(at(payload, 'errors', 0, 'error_data', 'details')) ?? str(at(payload, 'errors', 0, 'title'))
    ?? str(at(payload, 'errors', 0, 'message'));
}

/** Meta's contact cards: name and phone numbers of each. */
function contactCards(payload: unknown): { name: string; phones: string[] }[] {
  const list = at(payload, 'contacts');
  if (!Array.isArray(list)) return [];
  return list.map((c) => ({
    name: str(at(c, 'name', 'formatted_name')) ?? str(at(c, 'name', 'first_name')) ?? 'Contact',
    phones: (Array.isArray(at(c, 'phones')) ? (at(c, 'phones') as unknown[]) : [])
      .map((p) => str(at(p, 'phone')) ?? str(at(p, 'wa_id'))).filter((p): p is string => p !== null),
  }));
}

/** What a message shows, by kind. */
export function contentOf(m: Message, body: string | null = m.body ?? null): Content {
  switch (m.kind) {
    case 'location': {
      const location = locationOf(m.payload);
      return location ? { type: 'location', location } : { type: 'text', text: body };
    }
    case 'unknown':
    case 'unsupported':
      return { type: 'unsupported', text: `Unsupported message type: ${providerType(m)}`, error: m.kind === 'unsupported' ? unsupportedError(m.payload) : null };
    case 'contacts': {
      const cards = contactCards(m.payload);
      return cards.length ? { type: 'contacts', cards } : { type: 'text', text: body };
    }
    default:
      return { type: 'text', text: body };
  }
}

/** The emoji of a reaction (Meta's `reaction.emoji`, WasenderApi's `reaction.text`); null when taken back. */
export function reactionEmoji(m: Pick<Message, 'body' | 'payload'>): string | null {
  return str(m.body) ?? str(at(m.payload, 'reaction', 'emoji')) ?? str(at(m.payload, 'reaction', 'text'));
}

/** The provider id of the message this one acts on or quotes. */
export function targetOf(m: Pick<Message, 'reply_to' | 'payload'>): string | null {
  return str(m.reply_to)
    ?? str(at(m.payload, 'reaction', 'message_id'))
    ?? str(at(m.payload, 'edit', 'original_message_id'))
    ?? str(at(m.payload, 'revoke', 'original_message_id'))
    ?? str(at(m.payload, 'context', 'id'));
}

/** A short text for a quoted message. */
export function quoteText(m: Message, max = 120): string {
  const c = contentOf(m);
  const text = c.type === 'location' ? `📍 ${c.location.name ?? coordinates(c.location.latitude, c.location.longitude)}`
    : c.type === 'unsupported' ? c.text
    : c.type === 'contacts' ? `Contact card: ${c.cards.map((x) => x.name).join(', ')}`
    : c.text ?? `(${m.kind})`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The text of a system line. */
export function systemText(m: Message): string {
  if (m.kind === 'request_welcome') return 'The customer opened the chat (welcome request)';
  return str(m.body) ?? str(at(m.payload, 'system', 'body')) ?? 'System message';
}

function isAction(kind: string): boolean {
  return (ACTION_KINDS as readonly string[]).includes(kind);
}

function isSystem(kind: string): boolean {
  return (SYSTEM_KINDS as readonly string[]).includes(kind);
}

function byTime(a: Message, b: Message): number {
  return Date.parse(a.provider_timestamp) - Date.parse(b.provider_timestamp) || a.id - b.id;
}

function who(m: Message): 'customer' | 'business' {
  return m.direction === 'outbound' ? 'business' : 'customer';
}

/** The timeline of `messages` (in the API's order): bubbles and system lines. */
export function buildTimeline(messages: readonly Message[]): TimelineItem[] {
  // Messages that can be acted on, by provider id.
  const targets = new Map<string, Message>();
  for (const m of messages) {
    if (!isAction(m.kind) && m.provider_message_id) targets.set(m.provider_message_id, m);
  }

  // Reactions: the latest of each side per target wins; one without emoji takes it back.
  const reactions = new Map<string, Map<'customer' | 'business', Reaction>>();
  const lastEdit = new Map<string, Message>();
  const lastRevoke = new Map<string, Message>();
  // Actions whose target is not here: shown as system lines where they happened.
  const orphans = new Map<number, string>();
  const orphanReactions = new Map<string, Message>();

  for (const m of [...messages].filter((x) => isAction(x.kind)).sort(byTime)) {
    const target = targetOf(m);
    const known = target !== null && targets.has(target);
    if (m.kind === 'reaction') {
      const emoji = reactionEmoji(m);
      if (!known) {
        const key = `${target ?? `#${m.id}`}/${who(m)}`;
        if (emoji) orphanReactions.set(key, m); else orphanReactions.delete(key);
        continue;
      }
      const sides = reactions.get(target) ?? new Map();
      if (emoji) sides.set(who(m), { emoji, by: who(m), at: m.provider_timestamp });
      else sides.delete(who(m));
      reactions.set(target, sides);
    } else if (m.kind === 'edit') {
      if (known) lastEdit.set(target, m);
      else orphans.set(m.id, `${who(m) === 'customer' ? 'The customer' : 'The business'} edited a message not shown here${m.body ? `: “${m.body}”` : ''}`);
    } else {
      if (known) lastRevoke.set(target, m);
      else orphans.set(m.id, `${who(m) === 'customer' ? 'The customer' : 'The business'} deleted a message not shown here`);
    }
  }
  for (const m of orphanReactions.values()) {
    orphans.set(m.id, `${who(m) === 'customer' ? 'The customer' : 'The business'} reacted ${reactionEmoji(m)} to a message not shown here`);
  }

  const items: TimelineItem[] = [];
  for (const m of messages) {
    if (isAction(m.kind)) {
      const text = orphans.get(m.id);
      if (text) items.push({ type: 'system', key: `m${m.id}`, message: m, text });
      continue;
    }
    if (isSystem(m.kind)) {
      items.push({ type: 'system', key: `m${m.id}`, message: m, text: systemText(m) });
      continue;
    }
    const id = m.provider_message_id ?? null;
    const edit = id ? lastEdit.get(id) : undefined;
    const revoke = id ? lastRevoke.get(id) : undefined;
    // The API gives an edited message its new text; an edit it has not
    // applied yet (it came before its target) is applied here.
    const body = m.edited_at ? (m.body ?? null) : edit ? (edit.body ?? m.body ?? null) : (m.body ?? null);
    const replyTo = targetOf(m);
    const quoted = replyTo ? targets.get(replyTo) : undefined;
    items.push({
      type: 'bubble',
      key: `m${m.id}`,
      message: m,
      body,
      content: contentOf(m, body),
      reactions: id ? [...(reactions.get(id)?.values() ?? [])].sort((a, b) => (a.by === b.by ? 0 : a.by === 'customer' ? -1 : 1)) : [],
      quote: replyTo && replyTo !== id ? (quoted ? { found: true, message: quoted, text: quoteText(quoted) } : { found: false, id: replyTo }) : null,
      editedAt: m.edited_at ?? edit?.provider_timestamp ?? null,
      deletedAt: m.deleted_at ?? revoke?.provider_timestamp ?? null,
      fromPhoneApp: m.origin === 'phone_app',
    });
  }
  return items;
}
