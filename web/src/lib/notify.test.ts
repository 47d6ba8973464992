import { expect, test } from 'vitest';
import type { Conversation } from '../api/client';
import { loadNotify, newCustomerMessages, notificationOf, saveNotify, shouldNotify, tabTitle, unreadTotal } from './notify';

function conv(id: number, last: { id: number; direction: string; text?: string } | null, unread = 0): Conversation {
  return {
    id, status: 'queued', version: 1, priority: 0, business_number: '100', created_at: '2026-01-01T10:00:00Z', last_message_at: '2026-01-01T10:00:00Z',
    contact: { id: id * 10, wa_id: `4915100000${id}`, profile_name: `Customer ${id}`, tier: 'standard' },
    labels: [], unread_count: unread,
    ...(last ? { last_message: { ...last, kind: 'text', at: '2026-01-01T10:00:00Z' } } : {}),
  };
}

const memory = () => {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => { m.set(k, v); }, map: m };
};

test('the title counts unread messages over the list', () => {
  expect(unreadTotal([conv(1, null, 2), conv(2, null), conv(3, null, 1)])).toBe(3);
  expect(tabTitle(3)).toBe('(3) Wharf');
  expect(tabTitle(0)).toBe('Wharf');
  expect(tabTitle(150)).toBe('(99+) Wharf');
});

test('the first load announces nothing; later, only customer messages newer than any seen', () => {
  const first = newCustomerMessages(null, [conv(1, { id: 5, direction: 'inbound' }), conv(2, { id: 7, direction: 'outbound' })]);
  expect(first).toEqual({ fresh: [], seen: 7 });
  const next = newCustomerMessages(first.seen, [
    conv(1, { id: 9, direction: 'inbound' }), conv(2, { id: 8, direction: 'outbound' }), conv(3, { id: 6, direction: 'inbound' }), conv(4, null),
  ]);
  expect(next.fresh.map((c) => c.id)).toEqual([1]);
  expect(next.seen).toBe(9);
  // The same list again: nothing new.
  expect(newCustomerMessages(next.seen, [conv(1, { id: 9, direction: 'inbound' })]).fresh).toEqual([]);
});

test('settings are per agent, off by default, and survive a malformed value', () => {
  const s = memory();
  expect(loadNotify(7, s)).toEqual({ sound: false, desktop: false });
  saveNotify(7, { sound: true, desktop: false }, s);
  expect(loadNotify(7, s)).toEqual({ sound: true, desktop: false });
  expect(loadNotify(8, s)).toEqual({ sound: false, desktop: false });
  s.map.set('wharf.notify.9', '{not json');
  expect(loadNotify(9, s)).toEqual({ sound: false, desktop: false });
  expect(loadNotify(null, s)).toEqual({ sound: false, desktop: false });
});

test('a browser notification needs the setting, a hidden tab and the permission', () => {
  const on = { sound: false, desktop: true };
  expect(shouldNotify(on, true, 'granted')).toBe(true);
  expect(shouldNotify(on, false, 'granted')).toBe(false);
  expect(shouldNotify(on, true, 'denied')).toBe(false);
  expect(shouldNotify({ sound: true, desktop: false }, true, 'granted')).toBe(false);
});

test('a notification names the customer and shows the text', () => {
  expect(notificationOf(conv(1, { id: 1, direction: 'inbound', text: 'Where is my parcel?' }), 'Ana')).toEqual({ title: 'New message from Ana', body: 'Where is my parcel?' });
  expect(notificationOf(conv(1, { id: 1, direction: 'inbound' }), 'Ana').body).toBe('(text)');
  expect(notificationOf(conv(1, { id: 1, direction: 'inbound', text: 'x'.repeat(200) }), 'Ana').body).toHaveLength(120);
});
