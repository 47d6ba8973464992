import { expect, test } from 'vitest';
import { labelForNumber, numberLabel, numberPhone, numberShort } from './numbers';

const sales = { phone_number_id: '102290129340398', display_phone: '15550100', name: 'Sales' };

test('a number reads as its name and formatted display phone, not its provider id', () => {
  expect(numberLabel(sales)).toBe('Sales (+1\u00a05550100)');
  expect(numberLabel({ ...sales, name: '' })).toBe('+1\u00a05550100');
  expect(numberLabel({ ...sales, display_phone: '' })).toBe('Sales (102290129340398)');
  expect(numberLabel({ ...sales, name: '', display_phone: '' })).toBe('102290129340398');
});

test('a display phone that is already formatted is kept as written', () => {
  expect(numberPhone({ ...sales, display_phone: '+1 555-0100' })).toBe('+1 555-0100');
});

test('labelForNumber finds the number by provider id, and falls back to the id', () => {
  expect(labelForNumber([sales], '102290129340398')).toBe('Sales (+1\u00a05550100)');
  expect(labelForNumber([sales], 'unknown-7')).toBe('unknown-7');
  expect(labelForNumber([], undefined)).toBe('');
});

test('a name that only repeats the id is no name; a list row shows the name or the phone', () => {
  const bare = { ...sales, name: '102290129340398' };
  expect(numberLabel(bare)).toBe('+1\u00a05550100');
  expect(numberShort(bare)).toBe('+1\u00a05550100');
  expect(numberShort(sales)).toBe('Sales');
  expect(labelForNumber([sales], '102290129340398', { short: true })).toBe('Sales');
});
