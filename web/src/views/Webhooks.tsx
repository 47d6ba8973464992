// Integrators' webhook endpoints (admins): create (the signing secret is
// shown once), enable or disable, rotate the secret (both sign during the
// overlap), look at the last delivery attempts, delete. The URL is a secret:
// the list shows its origin only.
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client';
import type { components } from '../api/schema';
import { fullTime, shortTime } from '../lib/format';
import { webhookState } from '../lib/webhooks';
import { call, DeleteDialog, Notice, SecretOnce, States, useLoaded } from './adminKit';

type WebhookOut = components['schemas']['WebhookOut'];
type Catalog = components['schemas']['EventCatalogOut'];
type AttemptOut = components['schemas']['AttemptOut'];

export function Webhooks({ api }: { api: Api }) {
  const hooks = useLoaded<WebhookOut[]>(api, () => api.GET('/api/v1/webhooks'), 'Could not load the webhooks');
  const catalog = useLoaded<Catalog>(api, () => api.GET('/api/v1/webhooks/event-types'), 'Could not load the event types');
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [ordered, setOrdered] = useState(true);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<WebhookOut | null>(null);
  const [attempts, setAttempts] = useState<{ id: number; rows: AttemptOut[] } | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    setNotice(null);
    const r = await call(() => api.POST('/api/v1/webhooks', {
      body: { url: url.trim(), description: description.trim() || undefined, event_types: types, ordered },
    }), 'Could not create the webhook');
    setBusy(false);
    if (r.error || !r.data) { setFormError(r.error ?? 'Could not create the webhook'); return; }
    setSecret({ title: `Webhook to ${r.data.webhook.url_origin} created`, value: r.data.secret });
    setUrl('');
    setDescription('');
    setTypes([]);
    void hooks.reload();
  };
  const act = async (text: string, run: () => Promise<{ error?: unknown; data?: unknown }>, done: string) => {
    setBusy(true);
    const r = await call(run, text);
    setBusy(false);
    setNotice(r.error ? { ok: false, text: r.error } : { ok: true, text: done });
    void hooks.reload();
    return r;
  };
  const toggle = (h: WebhookOut) => void act('Could not change the webhook',
    () => api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id: h.id } }, body: { enabled: !h.enabled } }),
    h.enabled ? `Webhook to ${h.url_origin} disabled.` : `Webhook to ${h.url_origin} enabled; its waiting events follow.`);
  const rotate = async (h: WebhookOut) => {
    const r = await act('Could not rotate the secret',
      () => api.POST('/api/v1/webhooks/{id}/rotate-secret', { params: { path: { id: h.id } }, body: { overlap_hours: 24 } }),
      'New secret made; the old one signs too for 24 hours.');
    const data = r.data as components['schemas']['RotatedOut'] | undefined;
    if (data) setSecret({ title: `New secret of the webhook to ${h.url_origin}`, value: data.secret });
  };
  const remove = async (h: WebhookOut) => {
    await act('Could not delete the webhook', () => api.DELETE('/api/v1/webhooks/{id}', { params: { path: { id: h.id } } }),
      `Webhook to ${h.url_origin} deleted.`);
    setDeleting(null);
  };
  const showAttempts = async (h: WebhookOut) => {
    if (attempts?.id === h.id) { setAttempts(null); return; }
    const r = await call(() => api.GET('/api/v1/webhooks/{id}/attempts', { params: { path: { id: h.id }, query: { limit: 20 } } }),
      'Could not load the attempts');
    if (r.error || !r.data) { setNotice({ ok: false, text: r.error ?? 'Could not load the attempts' }); return; }
    setAttempts({ id: h.id, rows: r.data });
  };

  return (
    <div className="system">
      <h1>Webhooks</h1>
      <p className="muted small">Integrators get Wharf's events (a message arrived, a reply was read, a conversation was assigned…) as signed POSTs (Standard Webhooks), retried for a day, in order. See docs/webhooks.md for the events and how to verify a signature.</p>
      <form className="panel form" onSubmit={create} aria-label="New webhook">
        <h2>New webhook</h2>
        <label>URL<input required type="url" maxLength={2000} placeholder="https://crm.example.com/wharf" value={url} onChange={(e) => setUrl(e.target.value)} />
          <small>https:// (plain http only to this machine). Kept sealed; shown later by its origin only.</small></label>
        <label>Description<input maxLength={500} value={description} onChange={(e) => setDescription(e.target.value)} /></label>
        <fieldset className="checks">
          <legend>Events (none ticked: all)</legend>
          {catalog.data?.types.map((t) => (
            <label key={t.name} className="check" title={t.description}>
              <input type="checkbox" checked={types.includes(t.name)}
                onChange={(e) => setTypes(e.target.checked ? [...types, t.name] : types.filter((x) => x !== t.name))} />
              <span className="mono">{t.name}</span>
            </label>))}
        </fieldset>
        <label className="check"><input type="checkbox" checked={ordered} onChange={(e) => setOrdered(e.target.checked)} /> One at a time, in order</label>
        <div className="row"><button type="submit" className="primary" disabled={busy}>Create webhook</button></div>
        {formError && <p className="error" role="alert">{formError}</p>}
      </form>
      {secret && (
        <SecretOnce title={secret.title} label="Signing secret" secret={secret.value} testId="new-secret"
          warning="Receivers verify the webhook-signature header with it; Wharf keeps it sealed and never shows it again." onHide={() => setSecret(null)} />
      )}
      <Notice notice={notice} />
      {deleting && (
        <DeleteDialog name={`the webhook to ${deleting.url_origin}`} busy={busy} onConfirm={() => void remove(deleting)} onCancel={() => setDeleting(null)}>
          <p>Its undelivered events are dropped with it.</p>
        </DeleteDialog>
      )}
      <States label="Webhooks" loaded={hooks} empty={!hooks.data?.length} emptyText="No webhooks yet.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Receiver</th><th>Events</th><th>State</th><th>Created</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{hooks.data?.map((h) => {
              const state = webhookState(h);
              return (
                <tr key={h.id} data-testid={`webhook-${h.id}`}>
                  <td><span className="mono">{h.url_origin}</span>{h.description && <div className="muted small">{h.description}</div>}</td>
                  <td>{h.event_types.length ? h.event_types.join(', ') : <span className="muted">all</span>}</td>
                  <td><span className={`status-pill ${state.tone}`}>{state.label}</span>{state.detail && <div className="muted small">{state.detail}</div>}</td>
                  <td title={fullTime(h.created_at)}>{shortTime(h.created_at)}</td>
                  <td className="actions">
                    <button type="button" className="link" disabled={busy} onClick={() => toggle(h)}>{h.enabled ? 'Disable' : 'Enable'}</button>
                    <button type="button" className="link" disabled={busy} onClick={() => void rotate(h)}>Rotate secret</button>
                    <button type="button" className="link" onClick={() => void showAttempts(h)} aria-expanded={attempts?.id === h.id}>Attempts</button>
                    <button type="button" className="link danger" aria-label={`Delete the webhook to ${h.url_origin}`} onClick={() => setDeleting(h)}>Delete</button>
                  </td>
                </tr>);
            })}</tbody>
          </table>
        </div>
      </States>
      {attempts && (
        <section className="panel" aria-label="Delivery attempts" data-testid="webhook-attempts">
          <h2>Last attempts</h2>
          {attempts.rows.length === 0 ? <p className="muted">No attempts yet.</p> : (
            <div className="table-wrap">
              <table>
                <thead><tr><th>When</th><th>Event</th><th>Attempt</th><th>Answer</th><th>Outcome</th></tr></thead>
                <tbody>{attempts.rows.map((a) => (
                  <tr key={a.id}>
                    <td title={fullTime(a.at)}>{shortTime(a.at)}</td>
                    <td><span className="mono">{a.event_id}</span> <span className="muted small">{a.event_type}</span></td>
                    <td>{a.attempt}</td>
                    <td>{a.status_code ?? <span className="muted">{a.error ?? 'no answer'}</span>} <span className="muted small">{a.latency_ms} ms</span></td>
                    <td>{a.outcome}</td>
                  </tr>))}</tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
}
