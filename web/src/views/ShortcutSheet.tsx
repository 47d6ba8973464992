// The keyboard shortcut sheet (`?`): a modal dialog listing the keys; Escape,
// the Close button or a click beside it closes it.
import { SHORTCUTS } from '../lib/shortcuts';
import { useDialog } from './Dialog';

export function ShortcutSheet({ onClose }: { onClose: () => void }) {
  const ref = useDialog<HTMLDivElement>(onClose, { trap: true });
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div ref={ref} className="panel dialog shortcut-sheet" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <p className="muted small">In the inbox, when you are not typing in a field.</p>
        <dl className="keys" data-testid="shortcut-list">
          {SHORTCUTS.map((s) => (
            <div key={s.what}>
              <dt>{s.keys.map((k, i) => <span key={k}>{i > 0 && ' + '}<kbd>{k}</kbd></span>)}</dt>
              <dd>{s.what}</dd>
            </div>
          ))}
        </dl>
        <div className="row"><button type="button" className="primary" onClick={onClose} data-autofocus>Close</button></div>
      </div>
    </div>
  );
}
