// The audit log (admins): every recorded change, newest first, filtered by
// target (server-side) and by actor or action (over the loaded pages), with
// cursor paging and each entry's detail.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Api, AuditEntry } from '../api/client';
import { fullTime, shortTime } from '../lib/format';
import { auditMatches, AUDIT_TARGET_TYPES } from '../lib/admin';
import { call } from './adminKit';

export function Audit({ api }: { api: Api }) {
  const [targetType, setTargetType] = useState('');
  const [targetId, setTargetId] = useState('');
  const [text, setText] = useState('');
  const [items, setItems] = useState<AuditEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  // Only the latest request's answer is shown (filters change while one is in flight).
  const latest = useRef(0);
  const load = useCallback(async (after?: string) => {
    const n = ++latest.current;
    setBusy(true);
    const query = { target_type: targetType || undefined, target_id: targetId.trim() || undefined, limit: 50, cursor: after };
    const r = await call(() => api.GET('/api/v1/audit', { params: { query } }), 'Could not load the audit log');
    if (n !== latest.current) return;
    setBusy(false);
    if (r.error || !r.data) { setError(r.error ?? 'Could not load the audit log'); if (!after) setItems(null); return; }
    const page = r.data;
    setError(null);
    setItems((prev) => (after && prev ? [...prev, ...page.items] : page.items));
    setCursor(page.next_cursor ?? undefined);
  }, [api, targetType, targetId]);
  useEffect(() => { void load(); }, [load]);

  const shown = items?.filter((a) => auditMatches(a, text)) ?? [];
  return (
    <div className="system">
      <h1>Audit log</h1>
      <div className="filter-row wrap" role="search" aria-label="Filter the audit log">
        <select aria-label="Target type" value={targetType} onChange={(e) => setTargetType(e.target.value)}>
          <option value="">Any target</option>
          {AUDIT_TARGET_TYPES.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
        </select>
        <input aria-label="Target id" placeholder="Target id" inputMode="numeric" value={targetId} onChange={(e) => setTargetId(e.target.value)} />
        <input aria-label="Actor or action" type="search" placeholder="Actor or action, e.g. agent:1 or rule." value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <section className="panel" aria-label="Audit entries">
        {error && <p className="error" role="alert">{error}</p>}
        {items === null ? (!error && <p className="muted" aria-busy="true">Loading…</p>)
          : shown.length === 0 ? <p className="muted">{items.length === 0 ? 'No changes recorded for these filters.' : 'None of the loaded entries match the text.'}</p>
          : (
            <div className="table-wrap">
              <table>
                <thead><tr><th>When</th><th>Who</th><th>What</th><th>Target</th><th>Detail</th></tr></thead>
                <tbody>{shown.map((a) => (
                  <tr key={a.id}>
                    <td title={fullTime(a.created_at)}>{shortTime(a.created_at)}</td><td>{a.actor}</td><td data-testid="audit-action">{a.action}</td>
                    <td>{a.target_type} {a.target_id}</td>
                    <td>{a.detail === null || a.detail === undefined ? <span className="muted">—</span> : (
                      <details><summary>Show</summary><pre className="payload small">{JSON.stringify(a.detail, null, 2)}</pre></details>)}</td>
                  </tr>))}</tbody>
              </table>
            </div>
          )}
        {cursor && items !== null && (
          <button type="button" className="ghost more" disabled={busy} onClick={() => void load(cursor)}>{busy ? 'Loading…' : 'Load older entries'}</button>
        )}
      </section>
    </div>
  );
}
