import { describe, expect, test } from 'vitest';
import { clockTime, countryCode, duration, fullTime, initials, phone, seconds, shortTime, statusLabel, tick } from './format';

const at = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi);

describe('shortTime', () => {
  const now = at(2026, 11, 28, 15, 30);
  test('shows only the time for today', () => {
    expect(shortTime(at(2026, 11, 28, 9, 5).toISOString(), now)).toBe('09:05');
  });
  test('shows the weekday within the last week', () => {
    expect(shortTime(at(2026, 11, 26, 14, 0).toISOString(), now)).toBe('Thu 14:00');
  });
  test('shows day and month this year, and the year before that', () => {
    expect(shortTime(at(2026, 3, 3).toISOString(), now)).toBe('3 Mar');
    expect(shortTime(at(2025, 12, 31).toISOString(), now)).toBe('31 Dec 2025');
  });
  test('is empty for a missing or invalid time', () => {
    expect(shortTime(undefined, now)).toBe('');
    expect(shortTime('not a date', now)).toBe('');
  });
});

test('fullTime is local, zero padded, to the second', () => {
  expect(fullTime(at(2026, 1, 2, 3, 4).toISOString())).toBe('2026-01-02 03:04:00');
});

test('duration rounds down to minutes and drops empty parts', () => {
  expect(duration(30_000)).toBe('< 1 min');
  expect(duration(12 * 60_000 + 59_000)).toBe('12 min');
  expect(duration(3 * 3_600_000)).toBe('3 h');
  expect(duration(23 * 3_600_000 + 5 * 60_000)).toBe('23 h 5 min');
});

test('phone adds a plus and sets the country code apart with a no-break space', () => {
  expect(phone('4915112345678')).toBe('+49\u00a015112345678');
  expect(phone('+5511999990000')).toBe('+55\u00a011999990000');
  expect(phone('15550100')).toBe('+1\u00a05550100');
  expect(phone('380501234567')).toBe('+380\u00a0501234567');
  expect(phone('session-7')).toBe('session-7');
  // No ordinary space: a line never breaks inside a number.
  expect(phone('4915112345678')).not.toMatch(/ /);
});

test('countryCode knows the one- and two-digit calling codes; the rest have three', () => {
  expect(countryCode('14155550100')).toBe('1');
  expect(countryCode('79161234567')).toBe('7');
  expect(countryCode('447700900123')).toBe('44');
  expect(countryCode('971501234567')).toBe('971');
  expect(countryCode('123')).toBeNull();
});

test('clockTime is 24 h, zero padded, with optional seconds', () => {
  expect(clockTime(at(2026, 1, 2, 15, 4))).toBe('15:04');
  expect(clockTime(at(2026, 1, 2, 0, 7))).toBe('00:07');
  expect(clockTime(new Date(2026, 0, 2, 21, 5, 9), { seconds: true })).toBe('21:05:09');
  expect(clockTime(new Date(2026, 0, 2, 21, 5, 9).getTime())).toBe('21:05');
  expect(clockTime(new Date('nope'))).toBe('');
});

test('initials take first and last word, and # for no name', () => {
  expect(initials('Ana Maria Souza')).toBe('AS');
  expect(initials('ana')).toBe('A');
  expect(initials('  ')).toBe('#');
  expect(initials(undefined)).toBe('#');
  expect(initials('+49 151')).toBe('#');
  expect(initials('Élodie Ünal')).toBe('ÉÜ');
});

test('ticks follow the delivery status; read is highlighted and failed stands out', () => {
  expect(tick('sent').icon).toBe('check');
  expect(tick('delivered')).toEqual({ icon: 'double-check', label: 'Delivered', tone: 'muted' });
  expect(tick('read').icon).toBe('double-check');
  expect(tick('read').tone).toBe('read');
  expect(tick('failed').tone).toBe('failed');
  expect(tick('queued')).toEqual({ icon: 'clock', label: 'Queued', tone: 'muted' });
  expect(tick('mystery').label).toBe('mystery');
});

test('statusLabel capitalises', () => {
  expect(statusLabel('queued')).toBe('Queued');
  expect(statusLabel('')).toBe('');
});

test('seconds reads a measured duration as precisely as it matters', () => {
  expect(seconds(0)).toBe('0 s');
  expect(seconds(42)).toBe('42 s');
  expect(seconds(60)).toBe('1 min');
  expect(seconds(245)).toBe('4 min 5 s');
  expect(seconds(605)).toBe('10 min');
  expect(seconds(3599)).toBe('59 min');
  expect(seconds(3600)).toBe('1 h');
  expect(seconds(3 * 3600 + 5 * 60 + 9)).toBe('3 h 5 min');
  expect(seconds(86_400)).toBe('1 d');
  expect(seconds(2 * 86_400 + 3 * 3600 + 59)).toBe('2 d 3 h');
});
