import { expect, test } from 'vitest';
import { insertCanned, matchCanned, slashQuery, type Canned } from './canned';

const canned = (shortcut: string, title: string): Canned => ({
  id: shortcut.length, shortcut, title, body: title, missing: [],
  created_at: '2026-12-04T00:00:00Z', updated_at: '2026-12-04T00:00:00Z',
});

test('a slash opens the list at the start or after a space, not inside a word', () => {
  expect(slashQuery('/', 1)).toEqual({ start: 0, query: '' });
  expect(slashQuery('/Ref', 4)).toEqual({ start: 0, query: 'ref' });
  expect(slashQuery('Hello /ord', 10)).toEqual({ start: 6, query: 'ord' });
  expect(slashQuery('and/or', 6)).toBeNull();
  expect(slashQuery('http://x', 8)).toBeNull();
  expect(slashQuery('/order done', 11)).toBeNull();
});

test('shortcut prefixes come before title matches', () => {
  const list = [canned('refund', 'Refund started'), canned('order', 'Order status'), canned('late', 'Order is late')];
  expect(matchCanned(list, 'or').map((c) => c.shortcut)).toEqual(['order', 'late']);
  expect(matchCanned(list, '').length).toBe(3);
  expect(matchCanned(list, 'zzz')).toEqual([]);
});

test('the chosen answer replaces the slash word and the caret follows it', () => {
  expect(insertCanned('Hi /ord thanks', 3, 7, 'Your order ships today.')).toEqual({
    text: 'Hi Your order ships today. thanks', caret: 26,
  });
});
