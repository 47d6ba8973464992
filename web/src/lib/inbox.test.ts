import { describe, expect, test } from 'vitest';
import type { Conversation } from '../api/client';
import { emptyListText, filtersFromQuery, filtersToQuery, inboxReducer, INITIAL_INBOX, isFiltered, keepsServerOrder, listQuery, mergeById, NO_FILTERS, previewText, sortNewest, waitingText } from './inbox';

function conv(id: number, last: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    id, status: 'queued', version: 1, priority: 0, business_number: '100', created_at: last, last_message_at: last,
    contact: { id: id * 10, wa_id: `4915100000${id}`, profile_name: `Customer ${id}`, tier: 'standard' },
    labels: [],
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

test('a list in the API\'s order (longest waiting, best match) keeps that order', () => {
  const items = [conv(1, '2026-01-01T00:00:00Z'), conv(2, '2026-01-05T00:00:00Z')];
  const s = inboxReducer(INITIAL_INBOX, { type: 'loaded', items, nextCursor: 'n', serverOrder: true });
  expect(s.items.map((c) => c.id)).toEqual([1, 2]);
  const more = inboxReducer(s, { type: 'more', items: [conv(3, '2026-01-09T00:00:00Z')], nextCursor: null });
  expect(more.items.map((c) => c.id)).toEqual([1, 2, 3]);
  expect(keepsServerOrder({ ...NO_FILTERS, sort: 'waiting' })).toBe(true);
  expect(keepsServerOrder({ ...NO_FILTERS, search: 'order' })).toBe(true);
  expect(keepsServerOrder(NO_FILTERS)).toBe(false);
});

describe('listQuery', () => {
  test('sends every filter to the API, nothing for the defaults', () => {
    expect(listQuery(NO_FILTERS, 7)).toEqual({ snoozed: false });
    const all = { ...NO_FILTERS, status: 'queued', number: '100', search: ' order 5521 ', team: '3', label: '9', sort: 'waiting' as const };
    expect(listQuery(all, null)).toEqual({ status: 'queued', number: '100', q: 'order 5521', team: 3, label: 9, sort: 'waiting' });
  });
  test('the active views leave snoozed conversations out; the snoozed view shows only them; a search finds both', () => {
    expect(listQuery(NO_FILTERS, 7).snoozed).toBe(false);
    expect(listQuery({ ...NO_FILTERS, snoozed: true }, 7).snoozed).toBe(true);
    expect(listQuery({ ...NO_FILTERS, search: 'late' }, 7).snoozed).toBeUndefined();
    expect(filtersFromQuery(filtersToQuery({ ...NO_FILTERS, snoozed: true })).snoozed).toBe(true);
    expect(isFiltered({ ...NO_FILTERS, snoozed: true })).toBe(true);
    expect(emptyListText({ ...NO_FILTERS, snoozed: true }).title).toBe('Nothing is snoozed');
  });
  test('"mine" is my agent id; an agent picked otherwise; unassigned only without either', () => {
    expect(listQuery({ ...NO_FILTERS, mine: true }, 7).assignee).toBe(7);
    expect(listQuery({ ...NO_FILTERS, agent: '4' }, 7).assignee).toBe(4);
    expect(listQuery({ ...NO_FILTERS, unassigned: true }, 7)).toMatchObject({ unassigned: true });
    expect(listQuery({ ...NO_FILTERS, unassigned: true, agent: '4' }, 7).unassigned).toBeUndefined();
  });
});

test('the preview is the text, or the kind of message, ours marked', () => {
  const at = '2026-01-01T00:00:00Z';
  expect(previewText({ id: 1, direction: 'inbound', kind: 'text', text: 'Hi there', at })).toBe('Hi there');
  expect(previewText({ id: 1, direction: 'inbound', kind: 'image', at })).toBe('Image');
  expect(previewText({ id: 1, direction: 'inbound', kind: 'request_welcome', at })).toBe('Request welcome');
  expect(previewText({ id: 1, direction: 'outbound', kind: 'text', text: 'On it', at })).toBe('You: On it');
  expect(previewText(undefined)).toBe('');
});

test('waiting time since the first unanswered message', () => {
  const now = new Date('2026-01-01T01:05:00Z');
  expect(waitingText('2026-01-01T00:00:00Z', now)).toBe('waiting 1 h 5 min');
  expect(waitingText(undefined, now)).toBeNull();
});

test('filters round-trip through the query string', () => {
  const f = { status: 'queued', number: '100', search: 'ana souza', mine: true, unassigned: true, agent: '4', team: '2', label: '5', snoozed: true, sort: 'waiting' as const };
  expect(filtersFromQuery(filtersToQuery(f))).toEqual(f);
  expect(filtersToQuery(NO_FILTERS)).toBe('');
  expect(filtersFromQuery('')).toEqual(NO_FILTERS);
});

describe('the empty list', () => {
  test('says the filters match nothing when any filter is set', () => {
    for (const f of [{ status: 'resolved' }, { number: '123' }, { search: 'ana' }, { mine: true }, { unassigned: true }, { agent: '1' }, { team: '2' }, { label: '3' }]) {
      const filters = { ...NO_FILTERS, ...f };
      expect(isFiltered(filters)).toBe(true);
      expect(emptyListText(filters).title).toBe('No conversations match these filters');
    }
  });
  test('says there are no conversations yet only without filters', () => {
    expect(isFiltered({ ...NO_FILTERS, search: '   ' })).toBe(false);
    expect(isFiltered({ ...NO_FILTERS, sort: 'waiting' })).toBe(false);
    expect(emptyListText(NO_FILTERS).title).toBe('No conversations yet');
  });
});

test('the SLA order asks the API for sort=due, keeps its order and survives the URL', () => {
  const f = { ...NO_FILTERS, sort: 'due' as const };
  expect(listQuery(f, null).sort).toBe('due');
  expect(keepsServerOrder(f)).toBe(true);
  expect(filtersFromQuery(filtersToQuery(f)).sort).toBe('due');
});
