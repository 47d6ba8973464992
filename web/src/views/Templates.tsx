// The template catalog of the business accounts (kept by Meta's template
// webhooks): filter by number and status; status, category, quality and the
// reason of a rejection or pause. Admins can sync a number's catalog from
// the provider's listing.
import { useState } from 'react';
import type { Api, NumberOut } from '../api/client';
import type { components } from '../api/schema';
import { fullTime, shortTime } from '../lib/format';
import { qualityBadge } from '../lib/accounts';
import { numberLabel } from '../lib/numbers';
import { sortTemplates, syncBlocker, syncSummary, syncTarget, TEMPLATE_STATUSES, templateBody, templateQuery, templateStatusTone } from '../lib/templates';
import { call, Notice, States, useLoaded } from './adminKit';

type TemplateOut = components['schemas']['TemplateOut'];

export function Templates({ api, isAdmin }: { api: Api; isAdmin: boolean }) {
  const [filters, setFilters] = useState({ number: '', status: '' });
  const numbers = useLoaded<NumberOut[]>(api, () => api.GET('/api/v1/numbers'), 'Could not load the business numbers');
  const templates = useLoaded<TemplateOut[]>(`${filters.number}|${filters.status}`,
    () => api.GET('/api/v1/templates', { params: { query: templateQuery(filters) } }), 'Could not load the templates');
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const numberList = numbers.data ?? [];
  const target = syncTarget(numberList, filters.number);
  const blocker = syncBlocker(target);
  const accounts = new Map(numberList.filter((n) => n.waba_id).map((n) => [n.waba_id as string, n]));

  const sync = async () => {
    if (!target || blocker) return;
    setBusy(true);
    setNotice(null);
    const r = await call(() => api.POST('/api/v1/numbers/{id}/templates/sync', { params: { path: { id: target.id } } }), 'The templates were not synced');
    setBusy(false);
    setNotice(r.error || !r.data ? { ok: false, text: r.error ?? 'The templates were not synced' } : { ok: true, text: syncSummary(target.name || numberLabel(target), r.data) });
    void templates.reload();
  };

  const rows = templates.data ? sortTemplates(templates.data) : null;
  // Which account a template belongs to matters only when several are listed.
  const severalAccounts = new Set(rows?.map((t) => t.waba_id)).size > 1;
  return (
    <div className="system">
      <div className="page-head">
        <h1>Templates</h1>
        {isAdmin && (
          <div className="row">
            <button type="button" className="primary" disabled={busy || !!blocker} onClick={() => void sync()}
              title={blocker ?? (target ? `Read the catalog of ${numberLabel(target)}’s business account from the provider` : undefined)}>
              {busy ? 'Syncing…' : 'Sync from provider'}
            </button>
          </div>
        )}
      </div>
      {isAdmin && blocker && numbers.data && <p className="muted small" data-testid="sync-hint">{blocker}</p>}
      <Notice notice={notice} />
      <div className="filter-row wrap" role="search">
        <select aria-label="Business number" value={filters.number} onChange={(e) => setFilters({ ...filters, number: e.target.value })}>
          <option value="">All numbers</option>
          {numberList.map((n) => <option key={n.id} value={n.phone_number_id}>{numberLabel(n)}</option>)}
        </select>
        <select aria-label="Status" value={filters.status} onChange={(e) => setFilters({ ...filters, status: e.target.value })}>
          <option value="">Any status</option>
          {TEMPLATE_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <States label="Templates" loaded={{ data: rows, error: templates.error }} empty={!rows?.length}
        emptyText={filters.number || filters.status
          ? 'No templates match these filters.'
          : 'No templates yet. They arrive with Meta’s template webhooks, or an admin syncs them from the provider.'}>
        <div className="table-wrap">
          <table data-testid="template-list">
            <thead><tr><th>Name</th><th>Language</th><th>Category</th><th>Status</th><th>Quality</th><th>Reason</th><th>Body</th>{severalAccounts && <th>Business account</th>}<th>Updated</th></tr></thead>
            <tbody>{rows?.map((t) => {
              const quality = qualityBadge(t.quality);
              const account = accounts.get(t.waba_id);
              const body = templateBody(t.components);
              return (
                <tr key={t.id} data-testid={`template-${t.name}-${t.language}`}>
                  <td><strong>{t.name}</strong></td>
                  <td>{t.language}</td>
                  <td>{t.category ?? '—'}</td>
                  <td><span className={`status-pill tone-${templateStatusTone(t.status)}`} data-testid="template-status">{t.status}</span></td>
                  <td>{t.quality ? <span className={`status-pill tone-${quality.tone}`}>{t.quality}</span> : '—'}</td>
                  <td className="wrap-cell">{t.reason && t.reason !== 'NONE' ? t.reason : '—'}</td>
                  <td className="body-cell small">{body ?? <span className="muted">—</span>}</td>
                  {severalAccounts && <td className="small" title={t.waba_id}>{account ? numberLabel(account) : t.waba_id}</td>}
                  <td title={fullTime(t.updated_at)}>{shortTime(t.updated_at)}</td>
                </tr>
              );
            })}</tbody>
          </table>
        </div>
      </States>
    </div>
  );
}
