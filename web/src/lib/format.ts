// Pure formatting helpers: times, phone ids, delivery ticks, statuses.
// Times are local and always 24 h ("14:05"), whatever the browser's locale:
// every view formats them here, never with toLocaleTimeString.

/** The local time of day, 24 h: "14:05", or "14:05:09" with `seconds`. */
export function clockTime(t: Date | number, { seconds = false } = {}): string {
  const d = typeof t === 'number' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) return '';
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return seconds ? `${hm}:${pad(d.getSeconds())}` : hm;
}

/** "14:05" today, "Mon 14:05" this week, else "3 Nov" (or "3 Nov 2025"). */
export function shortTime(iso: string | undefined, now: Date = new Date()): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  const hm = clockTime(t);
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
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${clockTime(t, { seconds: true })}`;
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

/**
 * A measured duration in whole seconds, as precise as it matters: "42 s",
 * "4 min 5 s" (under 10 min), "12 min", "3 h 5 min", "2 d 3 h".
 */
export function seconds(secs: number): string {
  const s = Math.max(0, Math.round(secs));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 10) return s % 60 === 0 ? `${min} min` : `${min} min ${s % 60} s`;
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/**
 * A WhatsApp id as an international number with its country code set apart
 * by a no-break space: "4915112345678" → "+49 15112345678" (never wrapped
 * inside). Anything that is not all digits (a session id) stays as it is.
 */
export function phone(waId: string): string {
  const digits = waId.replace(/^\+/, '');
  if (!/^\d+$/.test(digits)) return waId;
  const cc = countryCode(digits);
  return cc && digits.length > cc.length ? `+${cc}\u00a0${digits.slice(cc.length)}` : `+${digits}`;
}

/**
 * The calling code at the start of an international number. Calling codes
 * are prefix-free: 1 and 7 are one digit, these are two, all others three.
 */
export function countryCode(digits: string): string | null {
  if (!/^\d{4,}$/.test(digits)) return null;
  if (digits[0] === '1' || digits[0] === '7') return digits[0];
  if (TWO_DIGIT_CODES.has(digits.slice(0, 2))) return digits.slice(0, 2);
  return digits.slice(0, 3);
}

const TWO_DIGIT_CODES = new Set(
  ('20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 ' +
    '60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98').split(' '),
);

/** Up to two initials of a name, or "#" for a bare number. */
export function initials(name: string | undefined | null): string {
  const words = (name ?? '').trim().split(/\s+/).filter((w) => /\p{L}/u.test(w));
  if (words.length === 0) return '#';
  const first = [...words[0]][0] ?? '';
  const last = words.length > 1 ? ([...words[words.length - 1]][0] ?? '') : '';
  return (first + last).toUpperCase();
}

/** The icons a delivery tick is drawn with (inline SVG: no emoji font needed). */
export type TickIcon = 'clock' | 'check' | 'double-check' | 'failed' | null;
export type Tick = { icon: TickIcon; label: string; tone: 'muted' | 'read' | 'failed' };

/** The tick shown beside a reply for its delivery status. */
export function tick(status: string): Tick {
  switch (status) {
    case 'queued':
      return { icon: 'clock', label: 'Queued', tone: 'muted' };
    case 'sent':
      return { icon: 'check', label: 'Sent', tone: 'muted' };
    case 'delivered':
      return { icon: 'double-check', label: 'Delivered', tone: 'muted' };
    case 'read':
      return { icon: 'double-check', label: 'Read', tone: 'read' };
    case 'failed':
      return { icon: 'failed', label: 'Failed', tone: 'failed' };
    default:
      return { icon: null, label: status, tone: 'muted' };
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
