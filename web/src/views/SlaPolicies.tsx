// SLA policies (admins): response and resolution targets for a team, a
// label and/or a business number; the most specific matching policy applies
// to a conversation (docs/reports.md, "SLA policies"). Create, edit, delete.
import { useState, type FormEvent } from 'react';
import type { components } from '../api/schema';
import type { Api, Label, NumberOut } from '../api/client';
import { seconds } from '../lib/format';
import { policyBody, scopeText, type SlaPolicy } from '../lib/sla';
import { call, RowActions, RowsPage, States, useLoaded, useRowEditing } from './adminKit';
import { useDialog } from './Dialog';

type TeamOut = components['schemas']['TeamOut'];

export function SlaPolicies({ api }: { api: Api }) {
  const list = useLoaded<SlaPolicy[]>(api, () => api.GET('/api/v1/sla-policies'), 'Could not load the SLA policies');
  const teams = useLoaded<TeamOut[]>(api, () => api.GET('/api/v1/teams'), 'Could not load the teams');
  const labels = useLoaded<Label[]>(api, () => api.GET('/api/v1/labels'), 'Could not load the labels');
  const numbers = useLoaded<NumberOut[]>(api, () => api.GET('/api/v1/numbers'), 'Could not load the numbers');
  const rows = useRowEditing<SlaPolicy>(() => void list.reload());
  const names = {
    teams: new Map((teams.data ?? []).map((t) => [t.id, t.name])),
    labels: new Map((labels.data ?? []).map((l) => [l.id, l.name])),
    numbers: new Map((numbers.data ?? []).map((n) => [n.id, n.name || n.display_phone || n.phone_number_id])),
  };
  const remove = (p: SlaPolicy) => rows.remove(() => api.DELETE('/api/v1/sla-policies/{id}', { params: { path: { id: p.id } } }),
    'Could not delete the SLA policy', `SLA policy ${p.name} was deleted.`);
  const target = (s: number | undefined) => (s == null ? '—' : seconds(s));

  return (
    <RowsPage title="SLA policies" newLabel="New SLA policy" rows={rows}
      form={(row) => <PolicyForm api={api} policy={row} teams={teams.data ?? []} labels={labels.data ?? []} numbers={numbers.data ?? []} onDone={rows.done} />}
      deleteName={(row) => row.name} onDelete={remove}
      confirm={(row) => (
        <p>Delete SLA policy {row.name}? Its conversations fall to the next matching policy; recorded breaches stay.</p>
      )}>
      <States label="SLA policies" loaded={list} empty={!list.data?.length}
        emptyText="No SLA policies yet. Create one: conversations it applies to show when their answer is due in the inbox.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Policy</th><th>Applies to</th><th>First response</th><th>Next response</th><th>Resolution</th><th>Warn before</th><th>Clock</th><th>State</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{list.data?.map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td><td>{scopeText(p, names)}</td>
                <td>{target(p.first_response_secs)}</td><td>{target(p.next_response_secs)}</td><td>{target(p.resolution_secs)}</td>
                <td>{p.warn_before_secs == null ? 'a fifth' : seconds(p.warn_before_secs)}</td>
                <td>{p.clock === 'business' ? 'Business hours' : 'Wall'}</td>
                <td>{p.enabled ? 'Enabled' : 'Disabled'}</td>
                <RowActions name={p.name} onEdit={() => rows.edit(p)} onDelete={() => rows.setDeleting(p)} />
              </tr>))}</tbody>
          </table>
        </div>
      </States>
    </RowsPage>
  );
}

function PolicyForm({ api, policy, teams, labels, numbers, onDone }: {
  api: Api; policy: SlaPolicy | null; teams: TeamOut[]; labels: Label[]; numbers: NumberOut[]; onDone: (text: string | null) => void;
}) {
  const text = (v: number | undefined | null) => (v == null ? '' : String(v));
  const [f, setF] = useState({
    name: policy?.name ?? '', team: text(policy?.team_id), label: text(policy?.label_id), number: text(policy?.business_number_id),
    first: text(policy?.first_response_secs), next: text(policy?.next_response_secs), resolution: text(policy?.resolution_secs),
    warn: text(policy?.warn_before_secs), enabled: policy?.enabled ?? true,
    clock: (policy?.clock ?? 'wall') as 'wall' | 'business',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useDialog<HTMLFormElement>(() => onDone(null));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const parsed = policyBody(f);
    if ('error' in parsed) { setError(parsed.error); return; }
    setBusy(true);
    setError(null);
    const body = parsed.body;
    const r = policy
      ? await call(() => api.PUT('/api/v1/sla-policies/{id}', { params: { path: { id: policy.id } }, body }), 'Could not save the SLA policy')
      : await call(() => api.POST('/api/v1/sla-policies', { body }), 'Could not create the SLA policy');
    setBusy(false);
    if (r.error) setError(r.error); else onDone(policy ? `SLA policy ${body.name} was saved.` : `SLA policy ${body.name} was created.`);
  };

  const title = policy ? `Edit SLA policy ${policy.name}` : 'New SLA policy';
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="form-grid">
        <label>Policy name<input required maxLength={80} value={f.name} onChange={set('name')} autoFocus /></label>
        <label>Team<select value={f.team} onChange={set('team')}>
          <option value="">Any team</option>
          {teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
        </select></label>
        <label>Label<select value={f.label} onChange={set('label')}>
          <option value="">Any label</option>
          {labels.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
        </select></label>
        <label>Number<select value={f.number} onChange={set('number')}>
          <option value="">Any number</option>
          {numbers.map((n) => <option key={n.id} value={n.id}>{n.name || n.display_phone || n.phone_number_id}</option>)}
        </select></label>
        <label>First response (seconds)<input inputMode="numeric" value={f.first} onChange={set('first')} /></label>
        <label>Next response (seconds)<input inputMode="numeric" value={f.next} onChange={set('next')} /></label>
        <label>Resolution (seconds)<input inputMode="numeric" value={f.resolution} onChange={set('resolution')} /></label>
        <label>Warn before (seconds)<input inputMode="numeric" value={f.warn} onChange={set('warn')} placeholder="a fifth of the target" /></label>
        <label>Clock<select value={f.clock} onChange={set('clock')}>
          <option value="wall">Wall clock</option><option value="business">Business hours of the team</option>
        </select>
          <small>Business: only the conversation's team's business hours count (no hours: wall clock).</small></label>
        <label className="check"><input type="checkbox" checked={f.enabled} onChange={(e) => setF({ ...f, enabled: e.target.checked })} /> Enabled</label>
      </div>
      <p className="muted small">The most specific matching policy applies (most of team, label and number set; ties: the oldest). Times are wall-clock.</p>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : policy ? 'Save' : 'Create SLA policy'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}
