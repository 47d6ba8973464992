import { expect, test } from 'vitest';
import type { Conversation } from '../api/client';
import { bulkProblems, bulkRequest, bulkSummary, keepShown, type BulkOut } from './bulk';

const conv = (id: number, version: number, name: string) =>
  ({ id, version, contact: { id, wa_id: `49151${id}`, profile_name: name, tier: 'standard' } }) as unknown as Conversation;

test('each selected row goes with the version shown', () => {
  const selected = [conv(1, 3, 'Ana'), conv(2, 7, 'Bo')];
  expect(bulkRequest({ action: 'assign', agentId: 5 }, selected)).toEqual({
    action: 'assign', items: [{ id: 1, version: 3 }, { id: 2, version: 7 }], agent_id: 5, team_id: undefined,
  });
  expect(bulkRequest({ action: 'label_remove', labelId: 9 }, selected)).toMatchObject({ action: 'label_remove', label_id: 9 });
  expect(bulkRequest({ action: 'resolve' }, selected)).toEqual({ action: 'resolve', items: [{ id: 1, version: 3 }, { id: 2, version: 7 }] });
});

test('rows not applied are named with a reason', () => {
  const out: BulkOut = {
    applied: 1, failed: 2,
    rows: [
      { id: 1, ok: true, changed: true },
      { id: 2, ok: false, code: 'conflict', detail: 'conversation changed: version is 8, not 7' },
      { id: 3, ok: false, code: 'forbidden', detail: 'this conversation belongs to teams you are not in' },
    ],
  };
  expect(bulkProblems(out, [conv(1, 3, 'Ana'), conv(2, 7, 'Bo')])).toEqual([
    { id: 2, who: 'Bo', reason: 'changed since you loaded it; check it and try again' },
    { id: 3, who: '#3', reason: 'belongs to a team you are not in' },
  ]);
  expect(bulkSummary(out, 'assign')).toBe('Assigned 1 of 3 conversations: 2 not applied.');
  expect(bulkSummary({ applied: 1, failed: 0, rows: [] }, 'resolve')).toBe('Resolved 1 conversation.');
});

test('the selection keeps only conversations still in the list', () => {
  const selected = new Set([1, 2]);
  expect(keepShown(selected, [conv(1, 1, 'Ana'), conv(2, 1, 'Bo')])).toBe(selected);
  expect([...keepShown(selected, [conv(2, 1, 'Bo')])]).toEqual([2]);
});
