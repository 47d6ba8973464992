// Snooze: when the menu's choices wake a conversation, how a snooze reads
// in the list and in the timeline. The API wakes it (customer message or
// time passed); the dashboard only shows it.
import type { components } from '../api/schema';
import { clockTime, shortTime } from './format';

export type Snooze = components['schemas']['SnoozeOut'];

export type SnoozeChoice = { key: 'hour' | 'tonight' | 'tomorrow'; label: string; until: Date };

/** Tonight's hour and the next working morning's. */
export const TONIGHT_HOUR = 19;
export const MORNING_HOUR = 9;

function at(day: Date, hour: number, plusDays = 0): Date {
  const d = new Date(day.getFullYear(), day.getMonth(), day.getDate() + plusDays, hour, 0, 0, 0);
  return d;
}

/**
 * The menu's choices from `now`: in an hour; tonight at 19:00 (left out
 * once it is past 18:00, an hour or less away); tomorrow at 09:00.
 */
export function snoozeChoices(now: Date): SnoozeChoice[] {
  const choices: SnoozeChoice[] = [{ key: 'hour', label: '1 hour', until: new Date(now.getTime() + 3_600_000) }];
  const tonight = at(now, TONIGHT_HOUR);
  if (tonight.getTime() - now.getTime() > 3_600_000) {
    choices.push({ key: 'tonight', label: `Tonight ${clockTime(tonight)}`, until: tonight });
  }
  const tomorrow = at(now, MORNING_HOUR, 1);
  choices.push({ key: 'tomorrow', label: `Tomorrow ${clockTime(tomorrow)}`, until: tomorrow });
  return choices;
}

/**
 * A custom time from an `<input type="datetime-local">` value (local
 * time), or why it cannot be used.
 */
export function customUntil(value: string, now: Date): { until: Date } | { problem: string } {
  if (!value) return { problem: 'Pick a date and time.' };
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) return { problem: 'That is not a date and time.' };
  if (t.getTime() <= now.getTime()) return { problem: 'Pick a time in the future.' };
  if (t.getTime() - now.getTime() > 366 * 86_400_000) return { problem: 'Pick a time within a year.' };
  return { until: t };
}

/** The value a `datetime-local` input shows for `d` (local time, minutes). */
export function localInputValue(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** "Snoozed until 09:00" (or "until Tue 09:00", "until 3 Dec"), null when awake. */
export function snoozedText(until: string | undefined | null, now: Date): string | null {
  if (!until) return null;
  return `Snoozed until ${untilText(until, now)}`;
}

/** A future time as the list and header say it: "19:00" today, "Tue 09:00" within a week, else "3 Dec 09:00". */
export function untilText(iso: string, now: Date): string {
  const t = new Date(iso);
  const sameDay = t.toDateString() === now.toDateString();
  if (sameDay) return clockTime(t);
  const days = (t.getTime() - now.getTime()) / 86_400_000;
  if (days < 6) return `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][t.getDay()]} ${clockTime(t)}`;
  return `${shortTime(iso, t)} ${clockTime(t)}`.replace(/^(\d\d:\d\d) /, '');
}

const ENDED: Record<string, string> = {
  customer: 'Woke up: the customer wrote',
  time: 'Woke up: snooze time reached',
  agent: 'Woken up by an agent',
  replaced: 'Snooze changed',
  resolved: 'Snooze ended: resolved',
};

export type SnoozeMarker = { key: string; at: string; text: string; kind: 'snoozed' | 'woke' };

/** Each snooze as timeline lines: when it began (by whom, until when) and how it ended. */
export function snoozeMarkers(snoozes: Snooze[], now: Date): SnoozeMarker[] {
  const out: SnoozeMarker[] = [];
  for (const s of snoozes) {
    const who = s.agent_name ?? (s.agent_id ? `agent #${s.agent_id}` : 'an integration');
    out.push({ key: `snooze-${s.id}`, at: s.snoozed_at, kind: 'snoozed', text: `Snoozed by ${who} until ${untilText(s.until, now)}` });
    if (s.ended_at && s.end_reason && s.end_reason !== 'replaced') {
      out.push({ key: `woke-${s.id}`, at: s.ended_at, kind: 'woke', text: ENDED[s.end_reason] ?? `Snooze ended (${s.end_reason})` });
    }
  }
  return out;
}

/** `items` and `markers` in one list by time (a marker after items of the same instant). */
export function interleave<T>(items: T[], timeOf: (item: T) => string, markers: SnoozeMarker[]): (T | SnoozeMarker)[] {
  const out: (T | SnoozeMarker)[] = [];
  const sorted = [...markers].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  let m = 0;
  for (const item of items) {
    const t = Date.parse(timeOf(item));
    while (m < sorted.length && Date.parse(sorted[m].at) < t) out.push(sorted[m++]);
    out.push(item);
  }
  while (m < sorted.length) out.push(sorted[m++]);
  return out;
}

/** Whether a timeline entry is a snooze marker. */
export function isMarker(x: unknown): x is SnoozeMarker {
  return typeof x === 'object' && x !== null && 'kind' in x && ((x as SnoozeMarker).kind === 'snoozed' || (x as SnoozeMarker).kind === 'woke') && 'at' in x;
}
