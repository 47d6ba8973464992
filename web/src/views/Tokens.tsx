// Integrator API tokens (admins): create (the token is shown once, with a
// copy button), list (never with their secret), revoke.
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client';
import type { components } from '../api/schema';
import { fullTime, shortTime } from '../lib/format';
import { call, Notice, SecretOnce, States, useLoaded } from './adminKit';
import { ConfirmDialog } from './Dialog';

type TokenOut = components['schemas']['TokenOut'];
type Created = components['schemas']['TokenCreatedOut'];

export function Tokens({ api }: { api: Api }) {
  const tokens = useLoaded<TokenOut[]>(api, () => api.GET('/api/v1/tokens'), 'Could not load the tokens');
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Created | null>(null);
  const [revoking, setRevoking] = useState<TokenOut | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    setNotice(null);
    const r = await call(() => api.POST('/api/v1/tokens', { body: { name: name.trim() } }), 'Could not create the token');
    setBusy(false);
    if (r.error || !r.data) { setFormError(r.error ?? 'Could not create the token'); return; }
    setCreated(r.data);
    setName('');
    void tokens.reload();
  };
  const revoke = async (t: TokenOut) => {
    setBusy(true);
    const r = await call(() => api.DELETE('/api/v1/tokens/{id}', { params: { path: { id: t.id } } }), 'Could not revoke the token');
    setBusy(false);
    setRevoking(null);
    setNotice(r.error ? { ok: false, text: r.error } : { ok: true, text: `Token ${t.name} was revoked; requests with it are refused from now on.` });
    void tokens.reload();
  };

  return (
    <div className="system">
      <h1>API tokens</h1>
      <p className="muted small">Integrators (a CRM, a script) sign in with a token. A token acts as an admin: give each integration its own, and revoke it when it is no longer used.</p>
      <form className="panel form" onSubmit={create} aria-label="New token">
        <h2>New token</h2>
        <div className="inline-form">
          <label>Token name<input required maxLength={100} pattern="[A-Za-z0-9_.\-]+" placeholder="crm-sync" value={name} onChange={(e) => setName(e.target.value)} />
            <small>Letters, digits, dot, dash and underscore.</small></label>
          <button type="submit" className="primary" disabled={busy}>Create token</button>
        </div>
        {formError && <p className="error" role="alert">{formError}</p>}
      </form>
      {created && (
        <SecretOnce title={`Token ${created.name} created`} label="Token" secret={created.token} testId="new-token"
          warning="Wharf keeps only a hash; if it is lost, revoke it and create another." onHide={() => setCreated(null)} />
      )}
      <Notice notice={notice} />
      {revoking && (
        <ConfirmDialog label="Confirm revocation" onCancel={() => setRevoking(null)}>
          <p>Revoke {revoking.name}? Everything using it is refused from then on. This cannot be undone.</p>
          <div className="row">
            <button type="button" className="primary danger" disabled={busy} onClick={() => void revoke(revoking)}>Revoke {revoking.name}</button>
            <button type="button" className="ghost" onClick={() => setRevoking(null)} data-autofocus>Cancel</button>
          </div>
        </ConfirmDialog>
      )}
      <States label="Tokens" loaded={tokens} empty={!tokens.data?.length} emptyText="No integrator tokens yet.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Name</th><th>Created</th><th>Last used</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{tokens.data?.map((t) => (
              <tr key={t.id} data-testid={`token-${t.name}`}>
                <td>{t.name}</td>
                <td title={fullTime(t.created_at)}>{shortTime(t.created_at)}</td>
                <td title={fullTime(t.last_used_at)}>{t.last_used_at ? shortTime(t.last_used_at) : <span className="muted">never</span>}</td>
                <td className="actions"><button type="button" className="link danger" aria-label={`Revoke ${t.name}`} onClick={() => setRevoking(t)}>Revoke</button></td>
              </tr>))}</tbody>
          </table>
        </div>
      </States>
    </div>
  );
}
