// Pure formatting helpers: times, phone ids, delivery ticks, statuses.

/** "14:05" today, "Mon 14:05" this week, else "3 Nov" (or "3 Nov 2025"). */
export function shortTime(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const hm = `${pad(t.getHours())}:${pad(t.getMinutes())}`;
  const sameDay =
    t.getFullYear() === now.getFullYear() &&
    t.getMonth() === now.getMonth() &&
    t.getDate() === now.getDate();
  if (sameDay) return hm;
  const days = (now.getTime() - t.getTime()) / 86_400_000;
  if (days >= 0 && days < 6) return `${WEEKDAYS[t.getDay()]} ${hm}`;
  const dm = `${t.getDate()} ${MONTHS[t.getMonth()]}`;
  return t.getFullYear() === now.getFullYear() ? dm : `${dm} ${t.getFullYear()}`;
}

/** Full local date and time, for tooltips: "2026-11-28 14:05:09". */
export function fullTime(iso: string | undefined): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  return (
    `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ` +
    `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`
  );
}

/** A duration in milliseconds as "23 h 5 min", "12 min" or "< 1 min". */
export function duration(ms: number): string {
  if (ms < 60_000) return '< 1 min';
  const totalMin = Math.floor(ms / 60_000);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** A WhatsApp id as an international number: "4915112345678" → "+4915112345678". */
export function phone(waId: string): string {
  return /^\d+$/.test(waId) ? `+${waId}` : waId;
}

/** Up to two initials of a name, or "#" for a bare number. */
export function initials(name: string | undefined | null): string {
  const words = (name ?? '').trim().split(/\s+/).filter((w) => /\p{L}/u.test(w));
  if (words.length === 0) return '#';
  const first = [...words[0]][0] ?? '';
  const last = words.length > 1 ? ([...words[words.length - 1]][0] ?? '') : '';
  return (first + last).toUpperCase();
}

export type Tick = { glyph: string; label: string; tone: 'muted' | 'read' | 'failed' };

/** The tick shown beside a reply for its delivery status. */
export function tick(status: string): Tick {
  switch (status) {
    case 'queued':
      return { glyph: '🕓', label: 'Queued', tone: 'muted' };
    case 'sent':
      return { glyph: '✓', label: 'Sent', tone: 'muted' };
    case 'delivered':
      return { glyph: '✓✓', label: 'Delivered', tone: 'muted' };
    case 'read':
      return { glyph: '✓✓', label: 'Read', tone: 'read' };
    case 'failed':
      return { glyph: '!', label: 'Failed', tone: 'failed' };
    default:
      return { glyph: '', label: status, tone: 'muted' };
  }
}

/** Conversation statuses the API knows, in the order an agent thinks of them. */
export const CONVERSATION_STATUSES = ['queued', 'assigned', 'pending', 'bot', 'resolved'] as const;

/** "queued" → "Queued". */
export function statusLabel(status: string): string {
  return status ? status[0].toUpperCase() + status.slice(1) : status;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return n.toString().padStart(2, '0');
}
