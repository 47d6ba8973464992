// The inbox's keyboard shortcuts, without React: which key means what, when
// a key is typing rather than a shortcut, and where j / k move. The inbox
// (views/Inbox.tsx) and the shell (App.tsx) listen on `window`, so a dialog
// that handled a key first (Escape) keeps it.

export type Shortcut = 'next' | 'previous' | 'open' | 'back' | 'reply' | 'help';

/** The sheet `?` shows, in its order. */
export const SHORTCUTS: readonly { keys: string[]; what: string }[] = [
  { keys: ['j'], what: 'Next conversation' },
  { keys: ['k'], what: 'Previous conversation' },
  { keys: ['Enter'], what: 'Open the selected conversation' },
  { keys: ['Esc'], what: 'Back to the list' },
  { keys: ['r'], what: 'Reply: focus the reply box' },
  { keys: ['Ctrl', 'Enter'], what: 'Send the reply' },
  { keys: ['?'], what: 'Show these shortcuts' },
];

/** What a key event's target is, as far as shortcuts care. */
export type KeyTarget = { tagName?: string; type?: string; isContentEditable?: boolean } | null;

export type KeyInput = {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  defaultPrevented?: boolean;
  target: KeyTarget;
};

const NOT_TYPING = new Set(['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file']);

/** Whether keys on `target` type text (or pick an option): then they are no shortcut. */
export function isTyping(target: KeyTarget): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName?.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NOT_TYPING.has((target.type ?? 'text').toLowerCase());
  return false;
}

/** Whether Enter on `target` already does something (a link opens, a button presses). */
function activates(target: KeyTarget): boolean {
  const tag = target?.tagName?.toUpperCase();
  return tag === 'A' || tag === 'BUTTON' || tag === 'INPUT' || tag === 'SUMMARY';
}

/** The shortcut a key press means, or null (typing, a modifier held, or handled already). */
export function shortcutFor(e: KeyInput): Shortcut | null {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return null;
  if (isTyping(e.target)) return null;
  switch (e.key) {
    case 'j': return 'next';
    case 'k': return 'previous';
    case 'r': return 'reply';
    case '?': return 'help';
    case 'Escape': return 'back';
    case 'Enter': return activates(e.target) ? null : 'open';
    default: return null;
  }
}

/**
 * The id j (`+1`) or k (`-1`) selects in `ids` (the list as shown), from
 * `current` (the focused or open conversation; null or gone: from the top).
 * Stops at the ends.
 */
export function step(ids: readonly number[], current: number | null, delta: 1 | -1): number | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at < 0) return ids[0];
  return ids[Math.min(ids.length - 1, Math.max(0, at + delta))];
}
