import { describe, expect, test } from 'vitest';
import { duration, fullTime, initials, phone, shortTime, statusLabel, tick } from './format';

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

test('phone adds a plus to bare digits only', () => {
  expect(phone('4915112345678')).toBe('+4915112345678');
  expect(phone('session-7')).toBe('session-7');
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
  expect(tick('sent').glyph).toBe('✓');
  expect(tick('delivered')).toEqual({ glyph: '✓✓', label: 'Delivered', tone: 'muted' });
  expect(tick('read').tone).toBe('read');
  expect(tick('failed').tone).toBe('failed');
  expect(tick('queued').label).toBe('Queued');
  expect(tick('mystery').label).toBe('mystery');
});

test('statusLabel capitalises', () => {
  expect(statusLabel('queued')).toBe('Queued');
  expect(statusLabel('')).toBe('');
});
