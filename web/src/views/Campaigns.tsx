// Campaigns (supervisors and admins): the list filtered by state, the
// create form (number, template of its catalog, parameters, audience: a
// label, all contacts or a CSV), and a campaign's detail: its counts and a
// live progress chart, Start / Pause / Resume / Cancel / Delete with the
// version read, the recipients page by page and their CSV.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Api, Label, NumberOut } from '../api/client';
import type { components } from '../api/schema';
import {
  addSample, allowedActions, audienceText, CAMPAIGN_STATES, campaignRequest, chartPoints, COUNT_KEYS, csvFileName, csvPlaceholders,
  csvPreview, isLive, parameterCount, progressText, RECIPIENT_STATUSES, type AudienceForm, type CampaignAction, type Sample,
  pausedText, sentOrLater, stateTone, windowText,
} from '../lib/campaigns';
import { saveBlob } from '../lib/download';
import { clockTime, fullTime, shortTime } from '../lib/format';
import { navigate } from '../lib/router';
import { numberLabel } from '../lib/numbers';
import { sortTemplates, templateBody } from '../lib/templates';
import { HoursFields, type HoursValue } from './HoursFields';
import { call, failText, Notice, States, useLoaded, type PageNotice } from './adminKit';
import { ConfirmDialog } from './Dialog';

type CampaignOut = components['schemas']['CampaignOut'];
type TemplateOut = components['schemas']['TemplateOut'];
type RecipientOut = components['schemas']['RecipientOut'];

export function Campaigns({ api, campaignId }: { api: Api; campaignId: number | null }) {
  const numbers = useLoaded<NumberOut[]>(api, () => api.GET('/api/v1/numbers'), 'Could not load the business numbers');
  return campaignId === null
    ? <CampaignList api={api} numbers={numbers.data ?? []} />
    : <CampaignDetail key={campaignId} api={api} id={campaignId} numbers={numbers.data ?? []} />;
}

function StateBadge({ state }: { state: string }) {
  return <span className={`status-pill tone-${stateTone(state)}`} data-testid="campaign-state">{state}</span>;
}

function numberName(numbers: readonly NumberOut[], id: number): string {
  const n = numbers.find((x) => x.id === id);
  return n ? numberLabel(n) : `#${id}`;
}

function CampaignList({ api, numbers }: { api: Api; numbers: NumberOut[] }) {
  const [state, setState] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useLoaded<CampaignOut[]>(state, () => api.GET('/api/v1/campaigns', { params: { query: state ? { state } : {} } }),
    'Could not load the campaigns');
  return (
    <div className="system">
      <div className="page-head">
        <h1>Campaigns</h1>
        {!creating && <button type="button" className="primary" onClick={() => setCreating(true)}>New campaign</button>}
      </div>
      {creating && <CampaignCreate api={api} numbers={numbers} onCancel={() => setCreating(false)} />}
      <div className="filter-row wrap" role="search">
        <select aria-label="State" value={state} onChange={(e) => setState(e.target.value)}>
          <option value="">Any state</option>
          {CAMPAIGN_STATES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      <States label="Campaigns" loaded={list} empty={!list.data?.length}
        emptyText={state ? `No ${state} campaigns.` : 'No campaigns yet. Create one to send an approved template to an audience.'}>
        <div className="table-wrap">
          <table data-testid="campaign-list">
            <thead><tr><th>Name</th><th>Number</th><th>Template</th><th>State</th><th>Progress</th><th>Created</th></tr></thead>
            <tbody>{list.data?.map((c) => (
              <tr key={c.id} data-testid={`campaign-row-${c.id}`}>
                <td><a href={`/campaigns/${c.id}`} onClick={(e) => { e.preventDefault(); navigate(`/campaigns/${c.id}`); }}><strong>{c.name}</strong></a></td>
                <td>{numberName(numbers, c.business_number_id)}</td>
                <td>{c.template_name} <span className="muted small">{c.template_language}</span></td>
                <td><StateBadge state={c.state} /></td>
                <td data-testid="campaign-progress">{sentOrLater(c.counts)} / {c.counts.recipients}</td>
                <td title={fullTime(c.created_at)}>{shortTime(c.created_at)}</td>
              </tr>
            ))}</tbody>
          </table>
        </div>
      </States>
    </div>
  );
}

function CampaignCreate({ api, numbers, onCancel }: { api: Api; numbers: NumberOut[]; onCancel: () => void }) {
  const metaNumbers = numbers.filter((n) => n.provider !== 'wasender');
  const [name, setName] = useState('');
  const [numberId, setNumberId] = useState('');
  const [template, setTemplate] = useState('');
  const [language, setLanguage] = useState('en');
  const [params, setParams] = useState<string[]>([]);
  const [kind, setKind] = useState<AudienceForm['kind']>('csv');
  const [labelId, setLabelId] = useState('');
  const [tier, setTier] = useState('');
  const [audLang, setAudLang] = useState('');
  const [csv, setCsv] = useState('');
  const [rate, setRate] = useState('');
  const [sendWindow, setSendWindow] = useState<HoursValue>({ on: false, timeZone: '', from: '09:00', to: '18:00', days: [1, 2, 3, 4, 5] });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => { if (!numberId && metaNumbers.length === 1) setNumberId(String(metaNumbers[0].id)); }, [numberId, metaNumbers]);
  const number = metaNumbers.find((n) => String(n.id) === numberId);
  const templates = useLoaded<TemplateOut[]>(number?.phone_number_id ?? '',
    () => number ? api.GET('/api/v1/templates', { params: { query: { number: number.phone_number_id, status: 'APPROVED' } } }) : Promise.resolve({ data: [] }),
    'Could not load the templates');
  const labels = useLoaded<Label[]>(api, () => api.GET('/api/v1/labels'), 'Could not load the labels');
  const catalog = useMemo(() => sortTemplates(templates.data ?? []), [templates.data]);
  const chosen = catalog.find((t) => `${t.name}|${t.language}` === `${template}|${language}`);
  const wanted = chosen ? parameterCount(chosen.components) : null;
  const shownParams = wanted ?? params.length;
  const preview = kind === 'csv' ? csvPreview(csv) : null;

  const setParam = (i: number, v: string) => { const next = [...params]; while (next.length <= i) next.push(''); next[i] = v; setParams(next); };
  const readFile = async (file: File | undefined) => { if (file) setCsv(await file.text()); };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parameters = Array.from({ length: shownParams }, (_, i) => params[i] ?? '');
    const audience: AudienceForm = kind === 'label' ? { kind, labelId } : kind === 'all' ? { kind, tier, language: audLang } : { kind, csv };
    const req = campaignRequest({ name, numberId, template, language, parameters, audience, rate, window: sendWindow.on ? sendWindow : null });
    if ('error' in req) { setError(req.error); return; }
    setBusy(true);
    setError(null);
    const r = await call(() => api.POST('/api/v1/campaigns', { body: req.body }), 'Could not create the campaign');
    setBusy(false);
    if (r.error || !r.data) setError(r.error ?? 'Could not create the campaign');
    else navigate(`/campaigns/${(r.data as CampaignOut).id}`);
  };

  return (
    <form className="panel form" onSubmit={submit} aria-label="New campaign">
      <h2>New campaign</h2>
      <div className="form-grid">
        <label>Name<input required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} autoFocus /></label>
        <label>Business number<select required value={numberId} onChange={(e) => { setNumberId(e.target.value); setTemplate(''); }}>
          <option value="">Choose…</option>
          {metaNumbers.map((n) => <option key={n.id} value={n.id}>{numberLabel(n)}</option>)}
        </select><small>Meta Cloud API numbers only: WasenderApi cannot send templates.</small></label>
        {catalog.length ? (
          <label>Template<select required value={chosen ? `${chosen.name}|${chosen.language}` : ''}
            onChange={(e) => { const [n, l] = e.target.value.split('|'); setTemplate(n ?? ''); setLanguage(l ?? ''); }}>
            <option value="">Choose…</option>
            {catalog.map((t) => <option key={t.id} value={`${t.name}|${t.language}`}>{t.name} ({t.language})</option>)}
          </select></label>
        ) : (
          <label>Template<input required value={template} onChange={(e) => setTemplate(e.target.value)} placeholder="template name" />
            <small>{number ? 'No approved template in this account’s catalog: type its name.' : 'Choose a number first.'}</small></label>
        )}
        <label>Language<input required value={language} onChange={(e) => setLanguage(e.target.value)} readOnly={!!chosen} /></label>
        <label>Rate (sends per second)<input type="number" min="0.1" step="any" value={rate} onChange={(e) => setRate(e.target.value)}
          placeholder="what the number leaves" /></label>
      </div>
      {chosen && <p className="muted small" data-testid="template-body">{templateBody(chosen.components)}</p>}
      <HoursFields value={sendWindow} set={(p) => setSendWindow({ ...sendWindow, ...p })} legend="Send window" toggle="Send only at certain hours"
        idPrefix="campaign-form" note="Outside these hours the campaign waits; messages already made still go out." />
      <fieldset className="form">
        <legend>Parameters</legend>
        {Array.from({ length: shownParams }, (_, i) => (
          <label key={i}>{`{{${i + 1}}}`}<input required value={params[i] ?? ''} onChange={(e) => setParam(i, e.target.value)}
            placeholder="text, {{contact.name}} or {{csv.column}}" /></label>
        ))}
        {wanted === null && (
          <div className="row">
            <button type="button" className="ghost" onClick={() => setParams([...params, ''])}>Add parameter</button>
            {params.length > 0 && <button type="button" className="ghost" onClick={() => setParams(params.slice(0, -1))}>Remove last</button>}
          </div>
        )}
        <p className="muted small">Placeholders: {'{{contact.name}} {{contact.first_name}} {{contact.phone}}'}{preview?.header.length ? ` ${csvPlaceholders(preview.header).join(' ')}` : ' {{csv.<column>}}'}</p>
      </fieldset>
      <fieldset className="form">
        <legend>Audience</legend>
        <div className="row" role="radiogroup" aria-label="Audience">
          {(['csv', 'label', 'all'] as const).map((k) => (
            <label key={k} className="check"><input type="radio" name="audience" checked={kind === k} onChange={() => setKind(k)} />
              {k === 'csv' ? 'A CSV' : k === 'label' ? 'A label' : 'All contacts'}</label>
          ))}
        </div>
        {kind === 'label' && (
          <label>Label<select value={labelId} onChange={(e) => setLabelId(e.target.value)}>
            <option value="">Choose…</option>
            {labels.data?.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
          </select></label>
        )}
        {kind === 'all' && (
          <div className="form-grid">
            <label>Tier (optional)<input value={tier} onChange={(e) => setTier(e.target.value)} /></label>
            <label>Language (optional)<input value={audLang} onChange={(e) => setAudLang(e.target.value)} /></label>
          </div>
        )}
        {kind === 'csv' && (
          <>
            <label>CSV file<input type="file" accept=".csv,text/csv,text/plain" onChange={(e) => void readFile(e.target.files?.[0])} /></label>
            <label>CSV<textarea rows={5} className="mono" value={csv} onChange={(e) => setCsv(e.target.value)} placeholder={'phone,name\n+49 151 0000000,Ada'} /></label>
            {preview && (
              <p className={preview.problem ? 'error small' : 'muted small'} data-testid="csv-preview">
                {preview.rows} row{preview.rows === 1 ? '' : 's'}; header: {preview.header.join(', ')}{preview.problem ? `. ${preview.problem}` : ''}
              </p>
            )}
          </>
        )}
      </fieldset>
      {error && <p className="error" role="alert" data-testid="create-error">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Creating…' : 'Create draft'}</button>
        <button type="button" className="ghost" onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}

const ACTION_LABELS: Record<CampaignAction, string> = { start: 'Start', pause: 'Pause', resume: 'Resume', cancel: 'Cancel campaign', delete: 'Delete' };

function CampaignDetail({ api, id, numbers }: { api: Api; id: number; numbers: NumberOut[] }) {
  const campaign = useLoaded<CampaignOut>(id, () => api.GET('/api/v1/campaigns/{id}', { params: { path: { id } } }), 'Could not load the campaign');
  const [samples, setSamples] = useState<Sample[]>([]);
  const [notice, setNotice] = useState<PageNotice>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState<'cancel' | 'delete' | null>(null);
  const [at, setAt] = useState('');
  const [tick, setTick] = useState(0);
  const c = campaign.data;

  useEffect(() => {
    if (c) setSamples((s) => addSample(s, { t: Date.now(), done: sentOrLater(c.counts) }));
  }, [c]);
  const live = c ? isLive(c.state) : false;
  useEffect(() => {
    if (!live) return;
    const timer = window.setInterval(() => { void campaign.reload(); setTick((t) => t + 1); }, 2000);
    return () => window.clearInterval(timer);
  }, [live, campaign.reload]);

  const act = async (action: CampaignAction) => {
    if (!c) return;
    setBusy(true);
    setNotice(null);
    const path = { params: { path: { id } } };
    let res;
    try {
      res = action === 'delete' ? await api.DELETE('/api/v1/campaigns/{id}', path)
        : action === 'start' ? await api.POST('/api/v1/campaigns/{id}/start', { ...path, body: { version: c.version, ...(at ? { at: new Date(at).toISOString() } : {}) } })
        : await api.POST(`/api/v1/campaigns/{id}/${action}`, { ...path, body: { version: c.version } });
    } catch (err) {
      setBusy(false);
      setNotice({ ok: false, text: failText(undefined, err, `Could not ${action} the campaign`) });
      return;
    }
    setBusy(false);
    setConfirm(null);
    if (res.response.status === 409) {
      setNotice({ ok: false, text: 'The campaign changed meanwhile, reloaded: check it and try again.' });
      void campaign.reload();
      return;
    }
    if (!res.response.ok) {
      setNotice({ ok: false, text: failText(res, undefined, `Could not ${action} the campaign`) });
      return;
    }
    if (action === 'delete') { navigate('/campaigns'); return; }
    const done = { start: at ? 'scheduled' : 'started', pause: 'paused', resume: 'resumed', cancel: 'cancelled' }[action];
    setNotice({ ok: true, text: `The campaign was ${done}.` });
    if (res.data) campaign.set(res.data as CampaignOut); else void campaign.reload();
    setTick((t) => t + 1);
  };

  const actions = c ? allowedActions(c.state) : [];
  return (
    <div className="system">
      <p><a href="/campaigns" onClick={(e) => { e.preventDefault(); navigate('/campaigns'); }}>← Campaigns</a></p>
      <div className="page-head">
        <h1>{c ? c.name : 'Campaign'}</h1>
        {c && <StateBadge state={c.state} />}
      </div>
      <Notice notice={notice} />
      <States label="Campaign" loaded={campaign} empty={false} emptyText="">
        {c && (
          <>
            {c.state === 'paused' && (
              <p className={c.paused_by === 'wharf' ? 'banner error' : 'banner'} role="status" data-testid="paused-by">
                {pausedText(c.paused_by, c.paused_reason)}
              </p>
            )}
            <dl className="kv">
              <div><dt>Number</dt><dd>{numberName(numbers, c.business_number_id)}</dd></div>
              <div><dt>Template</dt><dd>{c.template_name} ({c.template_language})</dd></div>
              <div><dt>Parameters</dt><dd className="mono">{c.parameters.length ? c.parameters.join(' · ') : '—'}</dd></div>
              <div><dt>Audience</dt><dd>{audienceText(c.audience)}</dd></div>
              <div><dt>Rate</dt><dd>{c.rate_per_second ? `${c.rate_per_second}/s at most` : 'what the number’s limit leaves'}</dd></div>
              <div><dt>Send window</dt><dd data-testid="send-window">{windowText(c.send_window)}
                {c.state === 'running' && c.window_open === false && <span className="status-pill" data-tone="warn"> waiting for its hours</span>}</dd></div>
              {c.scheduled_at && <div><dt>Scheduled</dt><dd>{fullTime(c.scheduled_at)}</dd></div>}
              {c.started_at && <div><dt>Started</dt><dd>{fullTime(c.started_at)}</dd></div>}
              {c.finished_at && <div><dt>Finished</dt><dd>{fullTime(c.finished_at)}</dd></div>}
              <div><dt>Throttled</dt><dd data-testid="throttled">{c.throttled_count}{c.last_throttled_at ? ` (last ${fullTime(c.last_throttled_at)})` : ''}</dd></div>
            </dl>
            <h2>Progress: <span data-testid="progress">{progressText(c.counts)}</span></h2>
            <ProgressChart samples={samples} total={c.counts.recipients} />
            <dl className="cards counts" data-testid="counts">
              <div className="card"><dt>recipients</dt><dd data-testid="count-recipients">{c.counts.recipients}</dd></div>
              {COUNT_KEYS.map((k) => <div key={k} className="card"><dt>{k}</dt><dd data-testid={`count-${k}`}>{c.counts[k]}</dd></div>)}
            </dl>
            {actions.length > 0 && (
              <div className="row wrap" role="group" aria-label="Actions">
                {actions.includes('start') && (
                  <label className="inline">Start at (optional)<input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} /></label>
                )}
                {actions.map((a) => (
                  <button key={a} type="button" className={a === 'cancel' || a === 'delete' ? 'ghost danger' : 'primary'} disabled={busy}
                    onClick={() => (a === 'cancel' || a === 'delete' ? setConfirm(a) : void act(a))}>
                    {a === 'start' && at ? 'Schedule' : ACTION_LABELS[a]}
                  </button>
                ))}
              </div>
            )}
            {confirm && (
              <ConfirmDialog label={confirm === 'cancel' ? 'Confirm cancelling' : 'Confirm deletion'} onCancel={() => setConfirm(null)}>
                <p>{confirm === 'cancel'
                  ? `Cancel “${c.name}”? Recipients not sent to yet are cancelled; this cannot be undone.`
                  : `Delete the draft “${c.name}” and its recipients?`}</p>
                <div className="row">
                  <button type="button" className="primary danger" disabled={busy} onClick={() => void act(confirm)}>
                    {confirm === 'cancel' ? 'Cancel the campaign' : 'Delete the draft'}</button>
                  <button type="button" className="ghost" onClick={() => setConfirm(null)} data-autofocus>Keep it</button>
                </div>
              </ConfirmDialog>
            )}
          </>
        )}
      </States>
      {c && <Recipients api={api} campaign={c} refresh={live ? tick : 0} />}
    </div>
  );
}

function ProgressChart({ samples, total }: { samples: readonly Sample[]; total: number }) {
  const w = 300, h = 60, pad = 3;
  const last = samples[samples.length - 1];
  // One sample (a finished campaign opened) draws a flat line at its level.
  const drawn = samples.length === 1 ? [samples[0], { ...samples[0], t: samples[0].t + 1 }] : samples;
  const first = samples[0];
  return (
    <figure className="chart" aria-label="Progress over time">
      <svg className="progress-chart" viewBox={`0 0 ${w} ${h + 2 * pad}`} width="100%" height={h + 2 * pad} preserveAspectRatio="none" role="img"
        aria-label={`Sent or later over time: ${last?.done ?? 0} of ${total}`} data-testid="progress-chart">
        <g transform={`translate(0 ${pad})`}>
          <line x1="0" x2={w} y1="0" y2="0" stroke="currentColor" strokeOpacity=".25" strokeDasharray="4 4" vectorEffect="non-scaling-stroke" />
          {drawn.length > 0 && <polyline points={chartPoints(drawn, total, w, h)} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" />}
        </g>
      </svg>
      <figcaption className="chart-legend muted small">
        <span>{first ? clockTime(first.t, { seconds: true }) : ''}</span>
        <span>dashed: all {total} recipients</span>
        <span>{last ? clockTime(last.t, { seconds: true }) : ''}</span>
      </figcaption>
    </figure>
  );
}

function Recipients({ api, campaign, refresh }: { api: Api; campaign: CampaignOut; refresh: number }) {
  const [status, setStatus] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const [csvState, setCsvState] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const cursor = cursors[cursors.length - 1];
  const page = useLoaded<components['schemas']['RecipientPageOut']>(`${campaign.id}|${status}|${cursor ?? ''}|${refresh}`,
    () => api.GET('/api/v1/campaigns/{id}/recipients', { params: { path: { id: campaign.id }, query: { limit: 50, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) } } }),
    'Could not load the recipients');
  const items: RecipientOut[] = page.data?.items ?? [];

  const download = async () => {
    setCsvState({ busy: true, error: null });
    try {
      const r = await api.GET('/api/v1/campaigns/{id}/recipients.csv', { params: { path: { id: campaign.id } }, parseAs: 'blob' });
      if (!(r.data instanceof Blob)) throw Object.assign(new Error('refused'), { res: r });
      saveBlob(r.data, csvFileName(campaign));
      setCsvState({ busy: false, error: null });
    } catch (err) {
      const res = (err as { res?: Parameters<typeof failText>[0] }).res;
      setCsvState({ busy: false, error: failText(res, res ? undefined : err, 'The CSV could not be downloaded') });
    }
  };

  return (
    <section className="panel" aria-label="Recipients">
      <div className="page-head">
        <h2>{campaign.state === 'draft' ? `Recipients: ${campaign.counts.recipients} (preview before starting)` : 'Recipients'}</h2>
        <button type="button" className="ghost" disabled={csvState.busy} onClick={() => void download()}>
          {csvState.busy ? 'Downloading…' : 'Download CSV'}</button>
      </div>
      {csvState.error && <p className="error" role="alert">{csvState.error}</p>}
      <div className="filter-row wrap" role="search">
        <select aria-label="Recipient status" value={status} onChange={(e) => { setStatus(e.target.value); setCursors([]); }}>
          <option value="">Any status</option>
          {RECIPIENT_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </div>
      {page.error ? <p className="error" role="alert">{page.error}</p>
        : !page.data ? <p className="muted" aria-busy="true">Loading…</p>
        : !items.length ? <p className="muted">No recipients{status ? ` ${status}` : ''}.</p>
        : (
          <div className="table-wrap">
            <table data-testid="recipient-list">
              <thead><tr><th>Contact</th><th>Phone</th><th>Status</th><th>Parameters</th><th>Reason</th><th>Updated</th></tr></thead>
              <tbody>{items.map((r) => (
                <tr key={r.id} data-testid="recipient-row">
                  <td>{r.conversation_id ? <a href={`/conversations/${r.conversation_id}`} onClick={(e) => { e.preventDefault(); navigate(`/conversations/${r.conversation_id}`); }}>{r.name ?? `#${r.contact_id}`}</a> : (r.name ?? `#${r.contact_id}`)}</td>
                  <td>{r.phone ?? r.wa_id ?? '—'}</td>
                  <td><span className="status-pill" data-testid="recipient-status">{r.status}</span></td>
                  <td className="wrap-cell small" data-testid="recipient-params">{r.parameters.join(' · ') || '—'}</td>
                  <td className="wrap-cell small">{r.reason ?? '—'}</td>
                  <td title={fullTime(r.updated_at)}>{shortTime(r.updated_at)}</td>
                </tr>
              ))}</tbody>
            </table>
          </div>
        )}
      <div className="row">
        <button type="button" className="ghost" disabled={!cursors.length} onClick={() => setCursors(cursors.slice(0, -1))}>Previous</button>
        <button type="button" className="ghost" disabled={!page.data?.next_cursor} onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}>Next</button>
      </div>
    </section>
  );
}
