import { expect, test } from 'vitest';
import { NO_FILTERS } from './inbox';
import { forgetDefaultView, landing, loadDefaultView, saveDefaultView } from './defaultView';

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => { m.set(k, v); }, removeItem: (k: string) => { m.delete(k); }, map: m };
};

test('a default view is saved per agent, without the search text', () => {
  const s = memory();
  expect(saveDefaultView(3, { ...NO_FILTERS, status: 'queued', sort: 'waiting', search: 'refund' }, s)).toBe('?status=queued&sort=waiting');
  expect(loadDefaultView(3, s)).toBe('?status=queued&sort=waiting');
  expect(loadDefaultView(4, s)).toBeNull();
  expect(loadDefaultView(null, s)).toBeNull();
});

test('saving no filter, or forgetting, leaves no default', () => {
  const s = memory();
  saveDefaultView(3, { ...NO_FILTERS, mine: true }, s);
  expect(saveDefaultView(3, NO_FILTERS, s)).toBeNull();
  expect(loadDefaultView(3, s)).toBeNull();
  saveDefaultView(3, { ...NO_FILTERS, mine: true }, s);
  forgetDefaultView(3, s);
  expect(loadDefaultView(3, s)).toBeNull();
});

test('only what the inbox understands comes back', () => {
  const s = memory();
  s.map.set('wharf.inbox.default.3', '?bogus=1&status=assigned&sort=sideways');
  expect(loadDefaultView(3, s)).toBe('?status=assigned');
});

test('sign-in lands on the saved view only from a bare inbox', () => {
  expect(landing('/', '', '?mine=1')).toBe('/?mine=1');
  expect(landing('/', '?status=queued', '?mine=1')).toBeNull();
  expect(landing('/conversations/4', '', '?mine=1')).toBeNull();
  expect(landing('/', '', null)).toBeNull();
});
