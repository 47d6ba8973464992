import { describe, expect, test } from 'vitest';
import { DialogStack, trapTarget } from './dialog';

describe('trapTarget', () => {
  test('wraps at both ends and leaves the middle to the browser', () => {
    expect(trapTarget(2, 3, false)).toBe(0);
    expect(trapTarget(0, 3, true)).toBe(2);
    expect(trapTarget(1, 3, false)).toBeNull();
    expect(trapTarget(1, 3, true)).toBeNull();
  });
  test('brings focus from outside to the first or last element', () => {
    expect(trapTarget(-1, 3, false)).toBe(0);
    expect(trapTarget(-1, 3, true)).toBe(2);
  });
  test('a single element keeps focus; none leaves it alone', () => {
    expect(trapTarget(0, 1, false)).toBe(0);
    expect(trapTarget(0, 1, true)).toBe(0);
    expect(trapTarget(-1, 0, false)).toBeNull();
  });
});

test('only the innermost open dialog is on top', () => {
  const stack = new DialogStack();
  const outer = stack.push();
  expect(stack.isTop(outer)).toBe(true);
  const inner = stack.push();
  expect([stack.isTop(outer), stack.isTop(inner), stack.size]).toEqual([false, true, 2]);
  stack.remove(inner);
  expect(stack.isTop(outer)).toBe(true);
  stack.remove(outer);
  stack.remove(outer);
  expect(stack.size).toBe(0);
});
