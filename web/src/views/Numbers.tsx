// Business numbers (admins): list, add, edit. Secrets are write-only: the
// page shows only whether each is set, and an empty secret box keeps it.
import { useState, type FormEvent } from 'react';
import type { Api, NumberOut } from '../api/client';
import { numberPatch, secretsState, type NumberForm } from '../lib/admin';
import { call, Notice, States, useLoaded } from './adminKit';
import { useDialog } from './Dialog';

const EMPTY: NumberForm = { provider: 'meta', phoneNumberId: '', displayPhone: '', name: '', apiBaseUrl: '', appSecret: '', verifyToken: '', accessToken: '' };

export function Numbers({ api }: { api: Api }) {
  const numbers = useLoaded<NumberOut[]>(api, () => api.GET('/api/v1/numbers'), 'Could not load the business numbers');
  const [editing, setEditing] = useState<NumberOut | 'new' | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);

  return (
    <div className="system">
      <div className="page-head">
        <h1>Business numbers</h1>
        <button type="button" className="primary" onClick={() => { setEditing('new'); setNotice(null); }}>Add number</button>
      </div>
      <Notice notice={notice} />
      {editing && (
        <NumberEditor key={editing === 'new' ? 'new' : editing.id} api={api} number={editing === 'new' ? null : editing}
          onDone={(text) => { setEditing(null); if (text) { setNotice({ ok: true, text }); void numbers.reload(); } }} />
      )}
      <States label="Numbers" loaded={numbers} empty={!numbers.data?.length} emptyText="No business numbers yet. Add the WhatsApp number customers write to.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Name</th><th>Phone</th><th>Number id</th><th>Provider</th><th>Secrets</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{numbers.data?.map((n) => (
              <tr key={n.id} data-testid={`number-${n.phone_number_id}`}>
                <td>{n.name}</td><td>{n.display_phone || '—'}</td><td>{n.phone_number_id}</td><td>{n.provider}</td>
                <td className="small">{secretsState(n)}</td>
                <td className="actions"><button type="button" className="link" aria-label={`Edit ${n.name}`} onClick={() => { setEditing(n); setNotice(null); }}>Edit</button></td>
              </tr>))}</tbody>
          </table>
        </div>
      </States>
    </div>
  );
}

function NumberEditor({ api, number, onDone }: { api: Api; number: NumberOut | null; onDone: (text: string | null) => void }) {
  const [form, setForm] = useState<NumberForm>(number
    ? { ...EMPTY, provider: number.provider as NumberForm['provider'], phoneNumberId: number.phone_number_id, displayPhone: number.display_phone, name: number.name, apiBaseUrl: number.api_base_url ?? '' }
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
