// Business numbers (admins): list, add, edit. Secrets are write-only: the
// page shows only whether each is set, and an empty secret box keeps it.
// Each number's standing with Meta: account status (red when restricted,
// violating, banned or disabled), quality rating, and its account events.
import { useState, type FormEvent } from 'react';
import { numberPhone } from '../lib/numbers';
import type { Api, NumberOut } from '../api/client';
import type { components } from '../api/schema';
import { accountBadge, eventSummary, fieldLabel, qualityBadge } from '../lib/accounts';
import { numberPatch, secretsState, type NumberForm } from '../lib/admin';
import { csatBody, csatForm, WINDOW_HOURS, type CsatForm } from '../lib/csat';
import { fullTime, shortTime } from '../lib/format';
import { call, Notice, States, useLoaded } from './adminKit';
import { prettyJson } from './DeadLetters';
import { useDialog } from './Dialog';

type AccountEvent = components['schemas']['AccountEventOut'];

const EMPTY: NumberForm = { provider: 'meta', phoneNumberId: '', displayPhone: '', name: '', apiBaseUrl: '', appSecret: '', verifyToken: '', accessToken: '' };

export function Numbers({ api }: { api: Api }) {
  const numbers = useLoaded<NumberOut[]>(api, () => api.GET('/api/v1/numbers'), 'Could not load the business numbers');
  const [editing, setEditing] = useState<NumberOut | 'new' | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [events, setEvents] = useState<NumberOut | null>(null);
  const [csat, setCsat] = useState<NumberOut | null>(null);

  return (
    <div className="system">
      <div className="page-head">
        <h1>Business numbers</h1>
        <button type="button" className="primary" onClick={() => { setEditing('new'); setNotice(null); }}>Add number</button>
      </div>
      <Notice notice={notice} />
      {csat && (
        <CsatEditor key={csat.id} api={api} number={csat}
          onDone={(text) => { setCsat(null); if (text) { setNotice({ ok: true, text }); void numbers.reload(); } }} />
      )}
      {editing && (
        <NumberEditor key={editing === 'new' ? 'new' : editing.id} api={api} number={editing === 'new' ? null : editing}
          onDone={(text) => { setEditing(null); if (text) { setNotice({ ok: true, text }); void numbers.reload(); } }} />
      )}
      <States label="Numbers" loaded={numbers} empty={!numbers.data?.length} emptyText="No business numbers yet. Add the WhatsApp number customers write to.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Name</th><th>Phone</th><th>Number id</th><th>Provider</th><th>Account status</th><th>Quality</th><th>Business account</th><th>Secrets</th><th>Satisfaction</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{numbers.data?.map((n) => {
              const status = accountBadge(n.account_status);
              const quality = qualityBadge(n.quality_rating);
              return (
                <tr key={n.id} data-testid={`number-${n.phone_number_id}`}>
                  <td>{n.name}</td><td>{n.display_phone ? <span className="phone">{numberPhone(n)}</span> : '—'}</td><td>{n.phone_number_id}</td><td>{n.provider}</td>
                  <td data-testid="account-status">
                    <span className={`status-pill tone-${status.tone}`} data-tone={status.tone}
                      title={status.outage ? 'The number cannot serve customers: see its account events' : undefined}>{status.label}</span>
                    {n.account_status_at && <time className="badge-time" dateTime={n.account_status_at} title={fullTime(n.account_status_at)}>since {shortTime(n.account_status_at)}</time>}
                  </td>
                  <td data-testid="quality"><span className={`status-pill tone-${quality.tone}`} title={n.quality_rating}>{quality.label}</span></td>
                  <td className="small">{n.waba_id ?? <span className="muted">not known yet</span>}</td>
                  <td className="small wrap-cell">{secretsState(n)}</td>
                  <td className="small" data-testid="csat-setting">{n.csat.enabled ? `Asked · ${Math.round(n.csat.window_secs / 3600)} h to answer` : <span className="muted">off</span>}</td>
                  <td className="actions">
                    <button type="button" className="link" aria-label={`Account events of ${n.name}`} onClick={() => setEvents(n)}>Account events</button>
                    <button type="button" className="link" aria-label={`Satisfaction question of ${n.name}`} onClick={() => { setCsat(n); setNotice(null); }}>Satisfaction</button>
                    <button type="button" className="link" aria-label={`Edit ${n.name}`} onClick={() => { setEditing(n); setNotice(null); }}>Edit</button>
                  </td>
                </tr>);
            })}</tbody>
          </table>
        </div>
      </States>
      {events && <AccountEvents key={events.id} api={api} number={events} onClose={() => setEvents(null)} />}
    </div>
  );
}

/** A number's customer-satisfaction question: on or off, its text, how long an answer counts. */
function CsatEditor({ api, number, onDone }: { api: Api; number: NumberOut; onDone: (text: string | null) => void }) {
  const [form, setForm] = useState<CsatForm>(csatForm(number.csat));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useDialog<HTMLFormElement>(() => onDone(null));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = csatBody(form);
    if ('error' in checked) { setError(checked.error); return; }
    setBusy(true);
    const r = await call(() => api.PUT('/api/v1/numbers/{id}/csat', { params: { path: { id: number.id } }, body: checked.body }), 'Could not save the satisfaction question');
    setBusy(false);
    if (r.error) setError(r.error); else onDone(`The satisfaction question of ${number.name} was saved.`);
  };
  const title = `Satisfaction question of ${number.name}`;
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <p className="muted small">After each resolution the customer is asked to rate the help from 1 to 5
        ({number.provider === 'wasender' ? 'as text, answered with a digit' : 'as a list to pick from, or a digit'}).
        The answer is stored on the conversation instead of reopening it; any other message reopens it.</p>
      <div className="form-grid">
        <label className="check"><input type="checkbox" checked={form.enabled} onChange={(e) => setForm({ ...form, enabled: e.target.checked })} /> Ask after each resolution</label>
        <label>Question<textarea maxLength={1024} rows={2} placeholder={number.csat.custom_question ? '' : number.csat.question}
          value={form.question} onChange={(e) => setForm({ ...form, question: e.target.value })} />
          <small>Empty: the default question.</small></label>
        <label>Answer window (hours)<input required inputMode="numeric" value={form.windowHours} onChange={(e) => setForm({ ...form, windowHours: e.target.value })} />
          <small>An answer counts this long after the question ({WINDOW_HOURS.min}–{WINDOW_HOURS.max} h).</small></label>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : 'Save'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}

function NumberEditor({ api, number, onDone }: { api: Api; number: NumberOut | null; onDone: (text: string | null) => void }) {
  const [form, setForm] = useState<NumberForm>(number
    ? { ...EMPTY, provider: number.provider as NumberForm['provider'], phoneNumberId: number.phone_number_id, displayPhone: number.display_phone, name: number.name, apiBaseUrl: number.api_base_url ?? '', wabaId: number.waba_id ?? '' }
    : EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<NumberForm>) => setForm((f) => ({ ...f, ...patch }));
  const ref = useDialog<HTMLFormElement>(() => onDone(null));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    let r;
    if (number) {
      const body = numberPatch(form, number);
      if (Object.keys(body).length === 0) { onDone(null); return; }
      setBusy(true);
      r = await call(() => api.PATCH('/api/v1/numbers/{id}', { params: { path: { id: number.id } }, body }), 'Could not save the number');
    } else {
      setBusy(true);
      const body = {
        provider: form.provider, phone_number_id: form.phoneNumberId.trim(), display_phone: form.displayPhone.trim(), name: form.name.trim(),
        app_secret: form.appSecret, verify_token: form.verifyToken,
        ...(form.accessToken ? { access_token: form.accessToken } : {}),
        ...(form.apiBaseUrl.trim() ? { api_base_url: form.apiBaseUrl.trim() } : {}),
      };
      r = await call(() => api.POST('/api/v1/numbers', { body }), 'Could not add the number');
    }
    setBusy(false);
    if (r.error) setError(r.error); else onDone(number ? `${form.name.trim()} was saved.` : `${form.name.trim()} was added.`);
  };

  const keep = number ? 'Leave empty to keep the stored one.' : '';
  const title = number ? `Edit ${number.name}` : 'Add a business number';
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={title} autoComplete="off">
      <h2>{title}</h2>
      <div className="form-grid">
        <label>Display name<input required maxLength={200} value={form.name} onChange={(e) => set({ name: e.target.value })} autoFocus /></label>
        <label>Phone (as customers see it)<input placeholder="+1 555 0100" value={form.displayPhone} onChange={(e) => set({ displayPhone: e.target.value })} /></label>
        {number ? (
          <p className="muted small">{number.provider} · number id {number.phone_number_id} (cannot change)</p>
        ) : (
          <>
            <label>Provider
              <select value={form.provider} onChange={(e) => set({ provider: e.target.value as NumberForm['provider'] })}>
                <option value="meta">Meta WhatsApp Cloud API</option><option value="wasender">WasenderApi</option><option value="sandbox">Sandbox</option>
              </select></label>
            <label>Number id<input required pattern="[A-Za-z0-9_\-]+" maxLength={64} value={form.phoneNumberId} onChange={(e) => set({ phoneNumberId: e.target.value })} />
              <small>Meta's phone number id, or the WasenderApi session id.</small></label>
          </>
        )}
        <label>Send API base URL (optional)<input type="url" placeholder="provider default" value={form.apiBaseUrl} onChange={(e) => set({ apiBaseUrl: e.target.value })} /></label>
        {number && number.provider !== 'wasender' && (
          <label>Business account id (WABA)<input inputMode="numeric" pattern="[0-9]+" maxLength={64} placeholder="learnt from its first webhook" value={form.wabaId ?? ''} onChange={(e) => set({ wabaId: e.target.value })} />
            <small>Account and template updates name it; a template sync reads its catalog.</small></label>
        )}
      </div>
      <fieldset>
        <legend>Secrets <small className="muted">(write-only: never shown again{number ? `; now ${secretsState(number)}` : ''})</small></legend>
        <div className="form-grid">
          <label>App secret<input type="password" autoComplete="new-password" required={!number} value={form.appSecret} onChange={(e) => set({ appSecret: e.target.value })} />
            <small>Verifies webhook signatures. {keep}</small></label>
          <label>Verify token<input type="password" autoComplete="new-password" value={form.verifyToken} onChange={(e) => set({ verifyToken: e.target.value })} />
            <small>{keep || 'For the webhook subscription check.'}</small></label>
          <label>Access token<input type="password" autoComplete="new-password" value={form.accessToken} onChange={(e) => set({ accessToken: e.target.value })} />
            <small>For sending replies. {keep}</small></label>
        </div>
      </fieldset>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : number ? 'Save' : 'Add number'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}

/** What Meta reported about a number's account, newest first; Escape closes it. */
function AccountEvents({ api, number, onClose }: { api: Api; number: NumberOut; onClose: () => void }) {
  const events = useLoaded<AccountEvent[]>(number.id, () => api.GET('/api/v1/numbers/{id}/account-events', { params: { path: { id: number.id } } }),
    'Could not load the account events');
  const ref = useDialog<HTMLElement>(onClose);
  return (
    <section ref={ref} className="panel" role="dialog" aria-label={`Account events of ${number.name}`}>
      <div className="page-head">
        <h2>Account events · {number.name}</h2>
        <div className="row">
          <button type="button" className="ghost" onClick={() => void events.reload()}>Refresh</button>
          <button type="button" className="ghost" onClick={onClose} data-autofocus>Close</button>
        </div>
      </div>
      {events.error ? <p className="error" role="alert">{events.error}</p>
        : events.data === null ? <p className="muted" aria-busy="true">Loading…</p>
        : events.data.length === 0 ? <p className="muted">No account events yet. Restrictions, bans, quality and name updates from Meta appear here.</p>
        : (
          <ul className="events" data-testid="account-events">
            {events.data.map((e) => {
              const summary = eventSummary(e);
              return (
                <li key={e.id}>
                  <div><strong>{fieldLabel(e.field)}</strong>{e.event && <> · <span className="mono">{e.event}</span></>}
                    {' '}<time className="muted small" dateTime={e.provider_timestamp} title={fullTime(e.provider_timestamp)}>{shortTime(e.provider_timestamp)}</time></div>
                  {summary && <div className="small">{summary}</div>}
                  <details><summary className="small">What Meta sent</summary><pre className="payload small">{prettyJson(JSON.stringify(e.detail))}</pre></details>
                </li>
              );
            })}
          </ul>
        )}
    </section>
  );
}
