// Dialogs and the keyboard: focus moves in when one opens, Escape closes the
// innermost, focus returns to what opened it, and a modal one keeps Tab
// inside. `useDialog` serves inline editors too; `ConfirmDialog` is the
// modal question over a backdrop.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { DialogStack, FOCUSABLE, trapTarget } from '../lib/dialog';

const stack = new DialogStack();

/**
 * Keyboard behaviour for the element given the returned ref: on open, focus
 * goes inside (unless an `autoFocus` child already took it); Escape calls
 * `onClose`; on close focus returns to the element that had it on open
 * (or the page's heading when that is gone, then or later). `trap`: Tab cycles inside.
 */
export function useDialog<T extends HTMLElement>(onClose: () => void, { trap = false } = {}) {
  const ref = useRef<T>(null);
  // Read during the first render, before any autoFocus child takes focus.
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  const close = useRef(onClose);
  close.current = onClose;

  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const token = stack.push();
    if (!root.contains(document.activeElement)) {
      const first = root.querySelector<HTMLElement>('[data-autofocus]') ?? root.querySelector<HTMLElement>(FOCUSABLE);
      if (first) first.focus();
      else { root.tabIndex = -1; root.focus(); }
    }
    const onKey = (e: KeyboardEvent) => {
      if (!stack.isTop(token)) return;
      if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close.current();
      } else if (e.key === 'Tab' && trap) {
        const items = [...root.querySelectorAll<HTMLElement>(FOCUSABLE)];
        const to = trapTarget(items.indexOf(document.activeElement as HTMLElement), items.length, e.shiftKey);
        if (to !== null) { e.preventDefault(); items[to].focus(); }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      stack.remove(token);
      if (opener?.isConnected) {
        opener.focus();
        // A confirmed deletion removes the opener's row once the list
        // reloads: then the heading takes focus instead of the page body.
        const watch = new MutationObserver(() => {
          if (opener.isConnected) return;
          watch.disconnect();
          if (document.activeElement === document.body || document.activeElement === null) focusHeading();
        });
        watch.observe(document.body, { childList: true, subtree: true });
        window.setTimeout(() => watch.disconnect(), 10_000);
      } else {
        focusHeading();
      }
    };
  }, [opener, trap]);
  return ref;
}

/** A modal question over a backdrop: Escape or a click beside it cancels. */
export function ConfirmDialog({ label, onCancel, children }: { label: string; onCancel: () => void; children: ReactNode }) {
  const ref = useDialog<HTMLDivElement>(onCancel, { trap: true });
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onCancel(); }}>
      <div ref={ref} className="panel confirm dialog" role="alertdialog" aria-modal="true" aria-label={label}>
        {children}
      </div>
    </div>
  );
}

/** Focuses the page's heading (made focusable by script only). */
function focusHeading() {
  const h1 = document.querySelector<HTMLElement>('main h1');
  if (!h1) return;
  h1.tabIndex = -1;
  h1.focus();
}
