import { describe, expect, test } from 'vitest';
import type { Conversation } from '../api/client';
import { emptyListText, filtersFromQuery, filtersToQuery, inboxReducer, INITIAL_INBOX, isFiltered, mergeById, NO_FILTERS, sortNewest, visible } from './inbox';

function conv(id: number, last: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    id, status: 'queued', version: 1, priority: 0, business_number: '100', created_at: last, last_message_at: last,
    contact: { id: id * 10, wa_id: `4915100000${id}`, profile_name: `Customer ${id}`, tier: 'standard' },
    ...extra,
  };
}

describe('inboxReducer', () => {
  test('a load replaces the list, newest first', () => {
    const s = inboxReducer(INITIAL_INBOX, { type: 'loaded', items: [conv(1, '2026-01-01T10:00:00Z'), conv(2, '2026-01-01T11:00:00Z')], nextCursor: 'c' });
    expect(s.items.map((c) => c.id)).toEqual([2, 1]);
    expect(s).toMatchObject({ loading: false, error: null, nextCursor: 'c' });
  });

  test('a failure keeps what is shown and says why', () => {
    const loaded = inboxReducer(INITIAL_INBOX, { type: 'loaded', items: [conv(1, '2026-01-01T10:00:00Z')], nextCursor: null });
    const s = inboxReducer(loaded, { type: 'failed', error: 'offline' });
    expect(s.items).toHaveLength(1);
    expect(s.error).toBe('offline');
  });

  test('more pages are merged without duplicates', () => {
    const loaded = inboxReducer(INITIAL_INBOX, { type: 'loaded', items: [conv(3, '2026-01-03T00:00:00Z'), conv(2, '2026-01-02T00:00:00Z')], nextCursor: 'x' });
    const s = inboxReducer(loaded, { type: 'more', items: [conv(2, '2026-01-02T00:00:00Z'), conv(1, '2026-01-01T00:00:00Z')], nextCursor: null });
    expect(s.items.map((c) => c.id)).toEqual([3, 2, 1]);
    expect(s.nextCursor).toBeNull();
  });

  test('an upsert moves a conversation with new activity to the top', () => {
    const loaded = inboxReducer(INITIAL_INBOX, { type: 'loaded', items: [conv(1, '2026-01-01T00:00:00Z'), conv(2, '2026-01-02T00:00:00Z')], nextCursor: null });
    const s = inboxReducer(loaded, { type: 'upsert', conversation: conv(1, '2026-01-05T00:00:00Z', { version: 2 }) });
    expect(s.items.map((c) => c.id)).toEqual([1, 2]);
  });
});

test('mergeById never lets a stale version replace a newer one', () => {
  const merged = mergeById([conv(1, '2026-01-01T00:00:00Z', { version: 5, status: 'assigned' })], [conv(1, '2026-01-01T00:00:00Z', { version: 4 })]);
  expect(merged[0].status).toBe('assigned');
});

test('sortNewest breaks ties by id', () => {
  const t = '2026-01-01T00:00:00Z';
  expect(sortNewest([conv(1, t), conv(3, t), conv(2, t)]).map((c) => c.id)).toEqual([3, 2, 1]);
});

describe('visible', () => {
  const items = [
    conv(1, '2026-01-01T00:00:00Z', { contact: { id: 1, wa_id: '4915112345678', profile_name: 'Ana Souza', tier: 'gold' } }),
    conv(2, '2026-01-01T00:00:00Z', { assignee_id: 7, contact: { id: 2, wa_id: '551199999999', profile_name: 'Bruno', tier: 'standard' } }),
    conv(3, '2026-01-01T00:00:00Z', { contact: { id: 3, wa_id: '441234', profile_name: 'Zoë Élan', tier: 'standard' } }),
    conv(4, '2026-01-01T00:00:00Z', { contact: { id: 4, wa_id: 'DE.1502576394655828', user_id: 'DE.1502576394655828', username: '@kaiwagner', tier: 'standard' } }),
  ];
  test('search matches name (ignoring case and accents), number and id', () => {
    expect(visible(items, { ...NO_FILTERS, search: 'ana' }, null).map((c) => c.id)).toEqual([1]);
    expect(visible(items, { ...NO_FILTERS, search: 'zoe elan' }, null).map((c) => c.id)).toEqual([3]);
    expect(visible(items, { ...NO_FILTERS, search: '+5511' }, null).map((c) => c.id)).toEqual([2]);
    expect(visible(items, { ...NO_FILTERS, search: '#3' }, null).map((c) => c.id)).toEqual([3]);
    expect(visible(items, NO_FILTERS, null)).toHaveLength(4);
  });
  test('search matches a username and a BSUID', () => {
    expect(visible(items, { ...NO_FILTERS, search: 'kaiwag' }, null).map((c) => c.id)).toEqual([4]);
    expect(visible(items, { ...NO_FILTERS, search: '@kai' }, null).map((c) => c.id)).toEqual([4]);
    expect(visible(items, { ...NO_FILTERS, search: 'DE.15025763946558' }, null).map((c) => c.id)).toEqual([4]);
  });
  test('"mine" keeps the conversations assigned to me, and none for a token without an agent', () => {
    expect(visible(items, { ...NO_FILTERS, mine: true }, 7).map((c) => c.id)).toEqual([2]);
    expect(visible(items, { ...NO_FILTERS, mine: true }, null)).toEqual([]);
  });
});

test('filters round-trip through the query string', () => {
  const f = { status: 'queued', number: '100', search: 'ana souza', mine: true };
  expect(filtersFromQuery(filtersToQuery(f))).toEqual(f);
  expect(filtersToQuery(NO_FILTERS)).toBe('');
  expect(filtersFromQuery('')).toEqual(NO_FILTERS);
});

describe('the empty list', () => {
  test('says the filters match nothing when any filter is set', () => {
    for (const f of [{ status: 'resolved' }, { number: '123' }, { search: 'ana' }, { mine: true }]) {
      const filters = { ...NO_FILTERS, ...f };
      expect(isFiltered(filters)).toBe(true);
      expect(emptyListText(filters).title).toBe('No conversations match these filters');
    }
  });
  test('says there are no conversations yet only without filters', () => {
    expect(isFiltered({ ...NO_FILTERS, search: '   ' })).toBe(false);
    expect(emptyListText(NO_FILTERS).title).toBe('No conversations yet');
  });
});
