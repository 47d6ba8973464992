// Keyboard behaviour of dialogs, without React: which dialog is on top
// (only it answers Escape and Tab), where Tab goes at the ends of a trapped
// dialog, and what counts as focusable. `views/Dialog.tsx` wires it up.

/** Elements Tab can reach, in document order. */
export const FOCUSABLE = [
  'a[href]', 'button:not([disabled])', 'input:not([disabled]):not([type="hidden"])', 'select:not([disabled])',
  'textarea:not([disabled])', '[tabindex]:not([tabindex="-1"])',
].join(',');

/** The open dialogs, innermost last. */
export class DialogStack {
  private open: symbol[] = [];

  push(): symbol {
    const token = Symbol('dialog');
    this.open.push(token);
    return token;
  }

  remove(token: symbol): void {
    this.open = this.open.filter((t) => t !== token);
  }

  isTop(token: symbol): boolean {
    return this.open.at(-1) === token;
  }

  get size(): number {
    return this.open.length;
  }
}

/**
 * Where Tab (or Shift+Tab) should go in a trapped dialog of `count`
 * focusable elements, focus being at `index` (-1: not on one of them).
 * `null`: let the browser move focus (it stays inside).
 */
export function trapTarget(index: number, count: number, backwards: boolean): number | null {
  if (count === 0) return null;
  if (index < 0) return backwards ? count - 1 : 0;
  if (backwards && index === 0) return count - 1;
  if (!backwards && index === count - 1) return 0;
  return null;
}
