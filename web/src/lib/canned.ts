// Canned responses in the reply box: `/` at the start of a word opens the
// list, the letters after it narrow it, the chosen answer (its text filled
// for the conversation by the API) replaces the `/word`.
import type { components } from '../api/schema';

export type Canned = components['schemas']['CannedResponseOut'];

/** The `/word` ending at `caret`: where it starts and what follows the
 * slash; null when the caret is not in such a word. */
export function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const m = /(^|\s)\/([\w-]*)$/.exec(before);
  if (!m) return null;
  return { start: before.length - m[2].length - 1, query: m[2].toLowerCase() };
}

/** The answers matching `query`: shortcut prefix first, then title words. */
export function matchCanned(list: Canned[], query: string): Canned[] {
  const q = query.toLowerCase();
  const byShortcut = list.filter((c) => c.shortcut.startsWith(q));
  const byTitle = list.filter((c) => !c.shortcut.startsWith(q) && c.title.toLowerCase().includes(q));
  return [...byShortcut, ...byTitle];
}

/** `text` with the `/word` from `start` to `caret` replaced by `insert`;
 * the new text and where the caret goes. */
export function insertCanned(text: string, start: number, caret: number, insert: string): { text: string; caret: number } {
  const next = text.slice(0, start) + insert + text.slice(caret);
  return { text: next, caret: start + insert.length };
}
