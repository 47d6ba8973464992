import { describe, expect, test } from 'vitest';
import { isTyping, shortcutFor, step } from './shortcuts';

const body = { tagName: 'BODY' };
const key = (k: string, extra: object = {}) => shortcutFor({ key: k, target: body, ...extra });

describe('shortcutFor', () => {
  test('maps j, k, Enter, Escape, r and ? on the page', () => {
    expect(key('j')).toBe('next');
    expect(key('k')).toBe('previous');
    expect(key('Enter')).toBe('open');
    expect(key('Escape')).toBe('back');
    expect(key('r')).toBe('reply');
    expect(key('?')).toBe('help');
    expect(key('x')).toBeNull();
    expect(key('J')).toBeNull();
  });
  test('ignores keys while typing in a field', () => {
    for (const target of [{ tagName: 'INPUT', type: 'search' }, { tagName: 'INPUT' }, { tagName: 'TEXTAREA' },
      { tagName: 'SELECT' }, { tagName: 'DIV', isContentEditable: true }]) {
      for (const k of ['j', 'k', 'r', '?', 'Escape', 'Enter']) expect(shortcutFor({ key: k, target })).toBeNull();
    }
  });
  test('works on a checkbox, and leaves Enter to links and buttons', () => {
    expect(shortcutFor({ key: 'j', target: { tagName: 'INPUT', type: 'checkbox' } })).toBe('next');
    expect(shortcutFor({ key: 'Enter', target: { tagName: 'A' } })).toBeNull();
    expect(shortcutFor({ key: 'Enter', target: { tagName: 'BUTTON' } })).toBeNull();
    expect(shortcutFor({ key: 'j', target: { tagName: 'A' } })).toBe('next');
  });
  test('ignores keys with a modifier, or already handled (a dialog’s Escape)', () => {
    expect(key('r', { ctrlKey: true })).toBeNull();
    expect(key('j', { metaKey: true })).toBeNull();
    expect(key('k', { altKey: true })).toBeNull();
    expect(key('Escape', { defaultPrevented: true })).toBeNull();
  });
});

test('isTyping: text fields yes, buttons and a missing target no', () => {
  expect(isTyping({ tagName: 'input', type: 'email' })).toBe(true);
  expect(isTyping({ tagName: 'INPUT', type: 'radio' })).toBe(false);
  expect(isTyping(null)).toBe(false);
});

describe('step', () => {
  const ids = [30, 20, 10];
  test('moves down with j and up with k, stopping at the ends', () => {
    expect(step(ids, 30, 1)).toBe(20);
    expect(step(ids, 20, -1)).toBe(30);
    expect(step(ids, 10, 1)).toBe(10);
    expect(step(ids, 30, -1)).toBe(30);
  });
  test('starts at the top when nothing (or something gone) is selected', () => {
    expect(step(ids, null, 1)).toBe(30);
    expect(step(ids, 99, -1)).toBe(30);
    expect(step([], null, 1)).toBeNull();
  });
});
