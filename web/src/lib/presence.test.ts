import { expect, test } from 'vitest';
import type { LiveEvent } from '../api/client';
import { ACTIVITY_TTL_MS, applyActivity, collisionText, idleSeconds, isActivity, type Others } from './presence';

const ev = (kind: string, agent_id: number, agent_name: string, conversation_id = 5): LiveEvent => ({ kind, conversation_id, agent_id, agent_name });

test('idle time is whole seconds since the last activity', () => {
  expect(idleSeconds(1_000, 1_000)).toBe(0);
  expect(idleSeconds(1_000, 62_999)).toBe(61);
  expect(idleSeconds(5_000, 1_000)).toBe(0);
});

test('other agents viewing and typing are named; mine, other conversations and non-activity events are ignored', () => {
  let others: Others = {};
  others = applyActivity(others, ev('viewing', 2, 'Ana'), 5, 1, 0);
  others = applyActivity(others, ev('typing', 3, 'Bo'), 5, 1, 0);
  others = applyActivity(others, ev('typing', 1, 'Me'), 5, 1, 0);
  others = applyActivity(others, ev('typing', 4, 'Cy', 6), 5, 1, 0);
  others = applyActivity(others, { kind: 'message', conversation_id: 5, message_id: 9 }, 5, 1, 0);
  expect(collisionText(others, 1_000)).toBe('Bo is typing…; Ana is viewing');
  others = applyActivity(others, ev('viewing', 3, 'Bo'), 5, 1, 2_000);
  expect(collisionText(others, 3_000)).toBe('Ana and Bo are viewing');
  others = applyActivity(others, ev('left', 2, 'Ana'), 5, 1, 3_000);
  expect(collisionText(others, 3_000)).toBe('Bo is viewing');
});

test('an activity not repeated fades', () => {
  const others = applyActivity({}, ev('typing', 2, 'Ana'), 5, null, 0);
  expect(collisionText(others, ACTIVITY_TTL_MS - 1)).toBe('Ana is typing…');
  expect(collisionText(others, ACTIVITY_TTL_MS)).toBeNull();
  expect(isActivity(ev('left', 2, 'Ana'))).toBe(true);
  expect(isActivity({ kind: 'status', conversation_id: 5 })).toBe(false);
});
