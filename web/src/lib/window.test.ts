import { expect, test } from 'vitest';
import { replyWindow, WINDOW_MS } from './window';

const now = new Date('2026-11-28T12:00:00Z');

test('the window is open for 24 h after the last customer message', () => {
  const w = replyWindow('2026-11-28T02:00:00Z', now);
  expect(w.open).toBe(true);
  if (w.open) {
    expect(w.remainingMs).toBe(14 * 3_600_000);
    expect(w.closesAt.toISOString()).toBe('2026-11-29T02:00:00.000Z');
  }
});

test('the window is closed exactly 24 h after, and says when it closed', () => {
  const last = new Date(now.getTime() - WINDOW_MS).toISOString();
  const w = replyWindow(last, now);
  expect(w).toEqual({ open: false, closedAt: now });
});

test('without a customer message there is no window', () => {
  expect(replyWindow(undefined, now)).toEqual({ open: false, closedAt: null });
  expect(replyWindow(null, now)).toEqual({ open: false, closedAt: null });
  expect(replyWindow('garbage', now)).toEqual({ open: false, closedAt: null });
});
