import { expect, test } from 'vitest';
import { labelForNumber, numberLabel, numberPhone } from './numbers';

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
