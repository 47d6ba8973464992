import { expect, test } from 'vitest';
import { availableActions, conflictMessage } from './actions';

test('queued and bot conversations can be claimed by an agent only', () => {
  expect(availableActions('queued', true)).toEqual(['claim']);
  expect(availableActions('bot', true)).toEqual(['claim']);
  expect(availableActions('queued', false)).toEqual([]);
});

test('assigned and pending ones can be resolved, resolved ones reopened', () => {
  expect(availableActions('assigned', false)).toEqual(['resolve']);
  expect(availableActions('pending', true)).toEqual(['resolve']);
  expect(availableActions('resolved', true)).toEqual(['reopen']);
  expect(availableActions('unknown', true)).toEqual([]);
});

test('a lost claim says someone else got there first', () => {
  expect(conflictMessage('claim')).toMatch(/someone else got there first/i);
  expect(conflictMessage('resolve')).toMatch(/resolve it/);
});
