// The dead-letter queue (admins): filterable list, payload inspector, replay
// or discard one, and bulk replay with the dry-run count confirmed first.
import { useCallback, useEffect, useState } from 'react';
import { errorText, type Api, type NumberOut } from '../api/client';
import { labelForNumber } from '../lib/numbers';
import type { components } from '../api/schema';
import { fullTime, shortTime } from '../lib/format';
import { ConfirmDialog, useDialog } from './Dialog';

type Letter = components['schemas']['DeadLetterOut'];
type LetterDetail = components['schemas']['DeadLetterDetailOut'];

export function DeadLetters({ api }: { api: Api }) {
  const [filters, setFilters] = useState({ status: 'pending', origin: '', reason: '' });
  const [items, setItems] = useState<Letter[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<LetterDetail | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [bulk, setBulk] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [numbers, setNumbers] = useState<NumberOut[]>([]);
  useEffect(() => {
    api.GET('/api/v1/numbers').then(({ data }) => setNumbers(data ?? []), () => undefined);
  }, [api]);

  const load = useCallback(async () => {
    const { data, error } = await api.GET('/api/v1/dlq', {
      params: { query: { status: filters.status || undefined, origin: filters.origin || undefined, reason: filters.reason || undefined, limit: 100 } },
    }).catch((err: unknown) => ({ data: undefined, error: { detail: errorText(err) } }));
    if (data) { setItems(data.items); setTotal(data.total); setError(null); } else setError(errorText(error, 'Could not load the DLQ'));
  }, [api, filters]);
  useEffect(() => { void load(); }, [load]);

  const inspect = async (id: number) => {
    const { data, error } = await api.GET('/api/v1/dlq/{id}', { params: { path: { id } } });
    if (data) setOpen(data); else setNotice(errorText(error, 'Could not open the letter'));
  };
  const act = async (id: number, action: 'replay' | 'discard') => {
    setBusy(true);
    const res = action === 'replay'
      ? await api.POST('/api/v1/dlq/{id}/replay', { params: { path: { id } } })
      : await api.POST('/api/v1/dlq/{id}/discard', { params: { path: { id } } });
    setBusy(false);
    setNotice(res.error ? errorText(res.error) : action === 'replay' ? `Letter ${id} replayed.` : `Letter ${id} discarded.`);
    setOpen(null);
    void load();
  };
  const bulkBody = { origin: filters.origin || undefined, reason: filters.reason || undefined };
  const countBulk = async () => {
    const { data, error } = await api.POST('/api/v1/dlq/replay', { body: { ...bulkBody, dry_run: true } });
    if (data) setBulk(data.matched); else setNotice(errorText(error));
  };
  const replayBulk = async () => {
    setBusy(true);
    const { data, error } = await api.POST('/api/v1/dlq/replay', { body: { ...bulkBody, dry_run: false } });
    setBusy(false);
    setBulk(null);
    setNotice(data ? `${data.replayed} of ${data.matched} letters replayed.` : errorText(error));
    void load();
  };

  return (
    <div className="system">
      <h1>Dead letters</h1>
      <div className="filter-row wrap" role="search">
        <select aria-label="Status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value })}>
          <option value="">Any status</option><option value="pending">Pending</option><option value="replayed">Replayed</option><option value="discarded">Discarded</option>
        </select>
        <select aria-label="Origin" value={filters.origin} onChange={(e) => setFilters({ ...filters, origin: e.target.value })}>
          <option value="">Router and sender</option><option value="router">Router</option><option value="sender">Sender</option>
        </select>
        <input aria-label="Reason" placeholder="Reason, e.g. provider_131026" value={filters.reason} onChange={(e) => setFilters({ ...filters, reason: e.target.value })} />
        <button type="button" className="ghost" onClick={() => void countBulk()} disabled={busy}>Replay all pending matching…</button>
      </div>
      {bulk !== null && (
        <ConfirmDialog label="Confirm bulk replay" onCancel={() => setBulk(null)}>
          {bulk === 0 ? <p>No pending letters match these filters.</p> : <p>{bulk} pending letter{bulk === 1 ? '' : 's'} match. Replay {bulk === 1 ? 'it' : 'them'}?</p>}
          <div className="row">
            {bulk > 0 && <button type="button" className="primary" onClick={() => void replayBulk()} disabled={busy}>Replay {bulk}</button>}
            <button type="button" className="ghost" onClick={() => setBulk(null)} data-autofocus>{bulk > 0 ? 'Cancel' : 'Close'}</button>
          </div>
        </ConfirmDialog>
      )}
      {notice && <div className="banner" role="status">{notice}</div>}
      <section className="panel" aria-label="Letters">
        {error ? <p className="error" role="alert">{error}</p>
          : items === null ? <p className="muted" aria-busy="true">Loading…</p>
          : items.length === 0 ? <p className="muted">No dead letters match. Messages the router or sender gave up on appear here.</p>
          : (
            <div className="table-wrap">
              <p className="muted small">{total} matching</p>
              <table>
                <thead><tr><th>#</th><th>Last failure</th><th>Origin</th><th>Reason</th><th>Number</th><th className="num">Attempts</th><th>Status</th><th /></tr></thead>
                <tbody>{items.map((l) => (
                  <tr key={l.id}>
                    <td>{l.id}</td><td title={fullTime(l.last_failed_at)}>{shortTime(l.last_failed_at)}</td><td>{l.origin}</td>
                    <td title={l.error}>{l.reason}</td><td title={l.business_number ?? undefined}>{l.business_number ? labelForNumber(numbers, l.business_number) : '—'}</td><td className="num">{l.attempts}</td><td>{l.status}</td>
                    <td><button type="button" className="link" onClick={() => void inspect(l.id)}>Inspect</button></td>
                  </tr>))}</tbody>
              </table>
            </div>
          )}
      </section>
      {open && <LetterInspector key={open.letter.id} open={open} busy={busy} onAct={(action) => void act(open.letter.id, action)} onClose={() => setOpen(null)} />}
    </div>
  );
}

/** One letter's failure, headers and payload; Escape closes it. */
function LetterInspector({ open, busy, onAct, onClose }: {
  open: LetterDetail; busy: boolean; onAct: (action: 'replay' | 'discard') => void; onClose: () => void;
}) {
  const ref = useDialog<HTMLElement>(onClose);
  const pending = open.letter.status === 'pending';
  return (
    <section ref={ref} className="panel" role="dialog" aria-label={`Dead letter ${open.letter.id}`}>
      <h2>Letter {open.letter.id} · {open.letter.reason}</h2>
      <p className="error">{open.letter.error}</p>
      <p className="muted small">{open.letter.subject} · stream sequence {open.letter.stream_sequence} · replayed {open.letter.replay_count}×</p>
      <h3>Headers</h3>
      <dl className="kv">{open.headers.map((h, i) => <div key={i}><dt>{h.name}</dt><dd>{h.value}</dd></div>)}</dl>
      <h3>Payload</h3>
      <pre className="payload">{prettyJson(open.payload)}</pre>
      <div className="row">
        <button type="button" className="primary" disabled={busy || !pending} onClick={() => onAct('replay')}>Replay</button>
        <button type="button" className="ghost" disabled={busy || !pending} onClick={() => onAct('discard')}>Discard</button>
        <button type="button" className="ghost" onClick={onClose} data-autofocus>Close</button>
      </div>
    </section>
  );
}

/** A JSON payload indented for reading; anything else as it is. */
export function prettyJson(text: string): string {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}
