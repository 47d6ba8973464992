import { expect, test } from 'vitest';
import { alertKey, dismiss, loadDismissed, undismissed } from './alertBanner';

function memory(): Pick<Storage, 'getItem' | 'setItem'> & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => { data.set(k, v); } };
}

const bad = { rule: 'bad-signatures', instance: 'edges' };
const lag = { rule: 'lag', instance: 'router-0' };

test('dismissed alerts are hidden; others, and new ones, still show', () => {
  const s = memory();
  expect(undismissed([bad, lag], loadDismissed(s))).toEqual([bad, lag]);
  const d = dismiss(s, [bad]);
  expect(undismissed([bad, lag], d)).toEqual([lag]);
  // Another page load of the same session reads the same set.
  expect(undismissed([bad], loadDismissed(s))).toEqual([]);
  expect(undismissed([bad, { rule: 'bad-signatures', instance: 'edge-2' }], loadDismissed(s)))
    .toEqual([{ rule: 'bad-signatures', instance: 'edge-2' }]);
});

test('an unreadable or foreign value counts as nothing dismissed', () => {
  const s = memory();
  s.setItem('wharf.alerts.dismissed', 'not json');
  expect(loadDismissed(s).size).toBe(0);
  s.setItem('wharf.alerts.dismissed', '{"a":1}');
  expect(loadDismissed(s).size).toBe(0);
  expect(alertKey(lag)).toBe('lag/router-0');
});
