// Campaigns (issue 25): the list, a create form (number, template from the
// catalog, parameters, an audience by CSV, label or all contacts, rate),
// and a campaign's page: its counts and progress polled every 2 s while it
// can move, Start/Pause/Resume/Cancel/Delete with the version read (a 409
// reloads), the recipients by status, and the CSV export.
import { useEffect, useState } from 'react';
import type { Api, Label, NumberOut } from '../api/client';
import type { components } from '../api/schema';
import { fullTime } from '../lib/format';
import { numberLabel } from '../lib/numbers';
import { saveBlob } from '../lib/download';
import {
  type Action, type AudienceForm, type CampaignOut, CAMPAIGN_STATES, RECIPIENT_STATUSES, allowedActions, audienceBody,
  bodyParameterCount, csvPreview, isLive, progress, reached, stateTone,
} from '../lib/campaigns';
import { call, failText, Notice, States, useLoaded } from './adminKit';

type TemplateOut = components['schemas']['TemplateOut'];
type RecipientPage = components['schemas']['RecipientPageOut'];

export function Campaigns({ api }: { api: Api }) {
  const [state, setState] = useState('');
  const [open, setOpen] = useState<number | null>(null);
  const [creating, setCreating] = useState(false);
  const list = useLoaded<CampaignOut[]>(state, () => api.GET('/api/v1/campaigns', { params: { query: state ? { state } : {} } }),
    'Could not load the campaigns');
  if (open !== null) return <CampaignPage api={api} id={open} onBack={() => { setOpen(null); void list.reload(); }} />;
  return (
    <div className="system">
      <div className="page-head">
        <h1>Campaigns</h1>
        <button type="button" className="primary" onClick={() => setCreating(!creating)}>{creating ? 'Close' : 'New campaign'}</button>
      </div>
      {creating && <CreateCampaign api={api} onCreated={(id) => { setCreating(false); setOpen(id); }} />}
      <div className="filter-row wrap" role="search">
        <select aria-label="State" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">Any state</option>
          {CAMPAIGN_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <States label="Campaigns" loaded={list} empty={!list.data?.length}
        emptyText={state ? 'No campaign in this state.' : 'No campaigns yet.'}>
        <div className="table-wrap">
          <table data-testid="campaign-list">
            <thead><tr><th>Name</th><th>Template</th><th>State</th><th>Reached</th><th>Created</th></tr></thead>
            <tbody>{list.data?.map((c) => (
              <tr key={c.id} data-testid={`campaign-${c.id}`}>
                <td><button type="button" className="link" onClick={() => setOpen(c.id)}>{c.name}</button></td>
                <td>{c.template_name} ({c.template_language})</td>
                <td><span className={`status-pill tone-${stateTone(c.state)}`}>{c.state}</span></td>
                <td>{reached(c.counts)} / {c.counts.recipients}</td>
                <td title={fullTime(c.created_at)}>{fullTime(c.created_at)}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      </States>
    </div>
  );
}

function CreateCampaign({ api, onCreated }: { api: Api; onCreated: (id: number) => void }) {
  const numbers = useLoaded<NumberOut[]>('numbers', () => api.GET('/api/v1/numbers'), 'Could not load the business numbers');
  const labels = useLoaded<Label[]>('labels', () => api.GET('/api/v1/labels'), 'Could not load the labels');
  const meta = (numbers.data ?? []).filter((n) => n.provider !== 'wasender');
  const [form, setForm] = useState({ name: '', number: '', template: '', language: 'en', parameters: [] as string[], rate: '' });
  const [audience, setAudience] = useState<AudienceForm>({ kind: 'csv', csv: 'phone,name\n', labelId: '', tier: '', language: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const number = meta.find((n) => String(n.id) === form.number) ?? meta[0];
  const templates = useLoaded<TemplateOut[]>(number?.phone_number_id ?? '',
    () => api.GET('/api/v1/templates', { params: { query: { number: number?.phone_number_id ?? '', status: 'APPROVED' } } }),
    'Could not load the templates');
  const chosen = templates.data?.find((t) => `${t.name}|${t.language}` === `${form.template}|${form.language}`);
  const wanted = chosen ? bodyParameterCount(chosen.components) : null;
  useEffect(() => {
    if (wanted !== null) setForm((f) => ({ ...f, parameters: Array.from({ length: wanted }, (_, i) => f.parameters[i] ?? '') }));
  }, [wanted]);
  const preview = audience.kind === 'csv' ? csvPreview(audience.csv) : null;

  const submit = async () => {
    if (!number) return;
    setBusy(true);
    setError(null);
    const body = {
      name: form.name, business_number_id: number.id, template_name: form.template, template_language: form.language,
      parameters: form.parameters, audience: audienceBody(audience),
      ...(form.rate.trim() ? { rate_per_second: Number(form.rate) } : {}),
    };
    const r = await call(() => api.POST('/api/v1/campaigns', { body: body as never }), 'The campaign was not created');
    setBusy(false);
    if (r.error || !r.data) setError(r.error ?? 'The campaign was not created');
    else onCreated(r.data.id);
  };

  return (
    <section className="panel" aria-label="New campaign">
      <form className="form-grid" onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <label>Name <input required value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} /></label>
        <label>Business number
          <select value={number ? String(number.id) : ''} onChange={(e) => setForm({ ...form, number: e.target.value })}>
            {meta.map((n) => <option key={n.id} value={n.id}>{numberLabel(n)}</option>)}
          </select>
        </label>
        <label>Template
          <input list="campaign-templates" required value={form.template} onChange={(e) => setForm({ ...form, template: e.target.value })} />
          <datalist id="campaign-templates">{templates.data?.map((t) => <option key={t.id} value={t.name}>{t.language}</option>)}</datalist>
        </label>
        <label>Language <input required value={form.language} onChange={(e) => setForm({ ...form, language: e.target.value })} /></label>
        {(wanted === null ? [...form.parameters, ''] : form.parameters).map((p, i) => (
          <label key={i}>Parameter {i + 1}
            <input value={p} aria-label={`Parameter ${i + 1}`} placeholder="{{contact.name}} or {{csv.column}}"
              onChange={(e) => {
                const parameters = [...form.parameters];
                parameters[i] = e.target.value;
                setForm({ ...form, parameters: parameters.filter((x, j) => x !== '' || j < (wanted ?? 0)) });
              }} />
          </label>
        ))}
        <label>Audience
          <select value={audience.kind} onChange={(e) => setAudience({ ...audience, kind: e.target.value as AudienceForm['kind'] })}>
            <option value="csv">A CSV of phone numbers</option>
            <option value="label">Contacts with a label</option>
            <option value="all">Every contact of the number</option>
          </select>
        </label>
        {audience.kind === 'csv' && (
          <div className="wide form-grid">
            <label className="wide">CSV
              <textarea rows={6} aria-label="CSV" value={audience.csv} onChange={(e) => setAudience({ ...audience, csv: e.target.value })} />
            </label>
            <label>CSV file
              <input type="file" accept=".csv,text/csv"
                onChange={(e) => { const f = e.target.files?.[0]; if (f) void f.text().then((csv) => setAudience({ ...audience, csv })); }} />
            </label>
            {preview && <span className={preview.error ? 'error small' : 'muted small'} data-testid="csv-preview">
              {preview.error ?? `${preview.rows} rows; columns ${preview.columns.join(', ')}`}</span>}
          </div>
        )}
        {audience.kind === 'label' && (
          <label>Label
            <select required value={audience.labelId} onChange={(e) => setAudience({ ...audience, labelId: e.target.value })}>
              <option value="">Choose…</option>
              {labels.data?.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
            </select>
          </label>
        )}
        {audience.kind === 'all' && (
          <>
            <label>Tier (optional) <input value={audience.tier} onChange={(e) => setAudience({ ...audience, tier: e.target.value })} /></label>
            <label>Language (optional) <input value={audience.language} onChange={(e) => setAudience({ ...audience, language: e.target.value })} /></label>
          </>
        )}
        <label>Sends per second (optional) <input inputMode="decimal" aria-label="Sends per second" value={form.rate} placeholder="what support leaves"
          onChange={(e) => setForm({ ...form, rate: e.target.value })} /></label>
        {error && <p className="error wide" role="alert">{error}</p>}
        <div className="wide"><button type="submit" className="primary" disabled={busy || !number}>{busy ? 'Creating…' : 'Create draft'}</button></div>
      </form>
    </section>
  );
}

const ACTION_LABEL: Record<Action, string> = { start: 'Start now', pause: 'Pause', resume: 'Resume', cancel: 'Cancel', delete: 'Delete' };

function CampaignPage({ api, id, onBack }: { api: Api; id: number; onBack: () => void }) {
  const campaign = useLoaded<CampaignOut>(id, () => api.GET('/api/v1/campaigns/{id}', { params: { path: { id } } }), 'Could not load the campaign');
  const [status, setStatus] = useState('');
  const recipients = useLoaded<RecipientPage>(`${id}|${status}|${campaign.data?.version}`,
    () => api.GET('/api/v1/campaigns/{id}/recipients', { params: { path: { id }, query: { limit: 50, ...(status ? { status } : {}) } } }),
    'Could not load the recipients');
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [history, setHistory] = useState<number[]>([]);
  const c = campaign.data;
  const live = c ? isLive(c.state) : false;
  useEffect(() => {
    if (!live) return;
    const t = window.setInterval(() => void campaign.reload(), 2000);
    return () => window.clearInterval(t);
  }, [live, campaign.reload]);
  useEffect(() => { if (c) setHistory((h) => [...h.slice(-59), reached(c.counts)]); }, [c]);

  const act = async (action: Action) => {
    if (!c) return;
    if ((action === 'cancel' || action === 'delete') && !window.confirm(`${ACTION_LABEL[action]} “${c.name}”?`)) return;
    setNotice(null);
    const path = { params: { path: { id } } };
    const body = { version: c.version };
    const r = action === 'delete'
      ? await call(() => api.DELETE('/api/v1/campaigns/{id}', path), 'The campaign was not deleted')
      : await call(() => api.POST(`/api/v1/campaigns/{id}/${action}`, { ...path, body } as never), `The campaign was not changed (${action})`);
    if (r.error) setNotice({ ok: false, text: r.error.includes('changed') ? `${r.error} — reloaded.` : r.error });
    if (action === 'delete' && !r.error) return onBack();
    void campaign.reload();
  };

  const download = async () => {
    const r = await api.GET('/api/v1/campaigns/{id}/recipients.csv', { params: { path: { id } }, parseAs: 'blob' });
    if (r.data instanceof Blob) saveBlob(r.data, `campaign-${id}.csv`);
    else setNotice({ ok: false, text: failText(r, undefined, 'The CSV could not be downloaded') });
  };

  return (
    <div className="system">
      <div className="page-head">
        <h1>{c?.name ?? 'Campaign'}</h1>
        <button type="button" className="ghost" onClick={onBack}>All campaigns</button>
      </div>
      <Notice notice={notice} />
      <States label="Campaign" loaded={campaign} empty={false} emptyText="">
        {c && (
          <>
            <p>
              <span className={`status-pill tone-${stateTone(c.state)}`} data-testid="campaign-state">{c.state}</span>{' '}
              {c.template_name} ({c.template_language}){c.rate_per_second ? ` · at most ${c.rate_per_second}/s` : ' · what support leaves'}
              {c.scheduled_at && c.state === 'scheduled' ? ` · starts ${fullTime(c.scheduled_at)}` : ''}
            </p>
            {c.paused_by === 'wharf' && <p className="error" role="alert" data-testid="paused-by-wharf">Paused by Wharf: {c.paused_reason}</p>}
            {c.throttled_count > 0 && <p className="muted small">The provider throttled {c.throttled_count} send(s); the campaign slowed down each time.</p>}
            <div className="row">
              {allowedActions(c.state).map((a) => (
                <button key={a} type="button" className={a === 'cancel' || a === 'delete' ? 'danger' : 'primary'} onClick={() => void act(a)}>{ACTION_LABEL[a]}</button>
              ))}
              <button type="button" className="ghost" onClick={() => void download()}>Download CSV</button>
            </div>
            <div className="progress" role="progressbar" aria-label="Progress" aria-valuemin={0} aria-valuemax={100}
              aria-valuenow={Math.round(progress(c.counts) * 100)}>
              <div style={{ width: `${Math.round(progress(c.counts) * 100)}%` }} />
            </div>
            <Spark values={history} max={c.counts.recipients} />
            <dl className="counts" data-testid="campaign-counts">
              {(['recipients', 'pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled', 'replied'] as const).map((k) => (
                <div key={k}><dt>{k}</dt><dd data-testid={`count-${k}`}>{c.counts[k]}</dd></div>
              ))}
              <div><dt>reached</dt><dd data-testid="count-reached">{reached(c.counts)}</dd></div>
            </dl>
          </>
        )}
      </States>
      <div className="filter-row wrap" role="search">
        <select aria-label="Recipient status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">Every recipient</option>
          {RECIPIENT_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <States label="Recipients" loaded={recipients} empty={!recipients.data?.items.length} emptyText="No recipient with this status.">
        <div className="table-wrap">
          <table data-testid="recipient-list">
            <thead><tr><th>Contact</th><th>Status</th><th>Reason</th><th>Parameters</th></tr></thead>
            <tbody>{recipients.data?.items.map((r) => (
              <tr key={r.id}>
                <td>{r.name ?? ''} {r.phone ?? r.wa_id ?? ''}</td>
                <td>{r.status}</td>
                <td>{r.reason ?? ''}</td>
                <td>{r.parameters.join(' · ')}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      </States>
    </div>
  );
}

/** Recipients reached over the last polls, as a line. */
function Spark({ values, max }: { values: number[]; max: number }) {
  if (values.length < 2 || max <= 0) return null;
  const w = 240;
  const h = 40;
  const points = values.map((v, i) => `${(i / (values.length - 1)) * w},${h - (v / max) * h}`).join(' ');
  return (
    <svg className="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label="Recipients reached over time">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="2" />
    </svg>
  );
}
