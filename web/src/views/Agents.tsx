// Agents (admins): who works the inbox, their presence, capacity, languages
// and teams; create (with a password), edit, delete (refused with a 409 while
// conversations are open on them, or for oneself).
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client';
import type { components } from '../api/schema';
import { joinList, parseList, PRESENCES, teamName } from '../lib/admin';
import { call, RowActions, RowsPage, States, useLoaded, useRowEditing } from './adminKit';
import { useDialog } from './Dialog';

type AgentOut = components['schemas']['AgentOut'];
type TeamOut = components['schemas']['TeamOut'];
type Role = components['schemas']['AgentRole'];

type Form = { name: string; email: string; password: string; role: Role; capacity: string; languages: string; teams: number[] };
const EMPTY: Form = { name: '', email: '', password: '', role: 'agent', capacity: '5', languages: '', teams: [] };

export function Agents({ api, meId }: { api: Api; meId: number | null }) {
  const agents = useLoaded<AgentOut[]>(api, () => api.GET('/api/v1/agents'), 'Could not load the agents');
  const teams = useLoaded<TeamOut[]>(api, () => api.GET('/api/v1/teams'), 'Could not load the teams');
  const rows = useRowEditing<AgentOut>(() => { void agents.reload(); void teams.reload(); });
  const { setNotice } = rows;
  const teamList = teams.data ?? [];

  const setPresence = async (a: AgentOut, presence: string) => {
    const r = await call(() => api.PUT('/api/v1/agents/{id}/presence', { params: { path: { id: a.id } }, body: { presence } }), 'Could not change the presence');
    setNotice(r.error ? { ok: false, text: r.error }
      : { ok: true, text: `${a.name} is now ${presence}${r.data?.assigned.length ? `; ${r.data.assigned.length} queued conversation(s) assigned` : ''}.` });
    void agents.reload();
  };
  const remove = (a: AgentOut) => rows.remove(() => api.DELETE('/api/v1/agents/{id}', { params: { path: { id: a.id } } }),
    'Could not delete the agent', `${a.name} was deleted.`);

  return (
    <RowsPage title="Agents" newLabel="New agent" rows={rows}
      form={(row) => <AgentForm api={api} agent={row} teams={teamList} onDone={rows.done} />}
      deleteName={(row) => row.name} onDelete={remove}
      confirm={(row) => (
        <p>Delete {row.name} ({row.email})? Their sign-in tokens stop working. An agent with open conversations
            cannot be deleted: transfer or resolve them first.</p>
      )}>
      <States label="Agents" loaded={agents} empty={!agents.data?.length} emptyText="No agents yet. Create the first with “New agent”.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Name</th><th>Email</th><th>Role</th><th>Presence</th><th className="num">Capacity</th><th>Languages</th><th>Teams</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{agents.data?.map((a) => (
              <tr key={a.id} data-testid={`agent-${a.email}`}>
                <td>{a.name}</td><td>{a.email}</td><td>{a.role}</td>
                <td>
                  <select className="inline" aria-label={`Presence of ${a.name}`} value={a.presence} onChange={(e) => void setPresence(a, e.target.value)}>
                    {PRESENCES.map((p) => <option key={p} value={p}>{p}</option>)}
                  </select>
                </td>
                <td className="num">{a.capacity}</td>
                <td>{a.languages.length ? a.languages.join(', ') : <span className="muted">any</span>}</td>
                <td>{a.teams.length ? a.teams.map((t) => teamName(teamList, t)).join(', ') : <span className="muted">none</span>}</td>
                <RowActions name={a.name} onEdit={() => rows.edit(a)} onDelete={a.id !== meId ? () => rows.setDeleting(a) : undefined} />
              </tr>))}</tbody>
          </table>
        </div>
      </States>
    </RowsPage>
  );
}

function AgentForm({ api, agent, teams, onDone }: { api: Api; agent: AgentOut | null; teams: TeamOut[]; onDone: (text: string | null) => void }) {
  const [form, setForm] = useState<Form>(agent
    ? { name: agent.name, email: agent.email, password: '', role: agent.role as Role, capacity: String(agent.capacity), languages: joinList(agent.languages), teams: agent.teams }
    : EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const ref = useDialog<HTMLFormElement>(() => onDone(null));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const capacity = Number(form.capacity);
    if (!Number.isInteger(capacity) || capacity < 0 || capacity > 1000) { setError('Capacity must be a whole number from 0 to 1000.'); return; }
    if ((!agent || form.password) && form.password.length < 8) { setError('The password needs at least 8 characters.'); return; }
    setBusy(true);
    setError(null);
    const common = { name: form.name.trim(), role: form.role, capacity, languages: parseList(form.languages), teams: form.teams };
    const r = agent
      ? await call(() => api.PATCH('/api/v1/agents/{id}', { params: { path: { id: agent.id } }, body: { ...common, ...(form.password ? { password: form.password } : {}) } }), 'Could not save the agent')
      : await call(() => api.POST('/api/v1/agents', { body: { ...common, email: form.email.trim(), password: form.password } }), 'Could not create the agent');
    setBusy(false);
    if (r.error) setError(r.error);
    else onDone(agent ? `${common.name} was saved.` : `${common.name} was created. Share the password with them privately.`);
  };

  const title = agent ? `Edit ${agent.name}` : 'New agent';
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="form-grid">
        <label>Name<input required maxLength={200} value={form.name} onChange={(e) => set({ name: e.target.value })} autoFocus /></label>
        {!agent && <label>Email<input type="email" required autoComplete="off" value={form.email} onChange={(e) => set({ email: e.target.value })} /></label>}
        <label>{agent ? 'New password (optional)' : 'Password'}
          <input type="password" autoComplete="new-password" minLength={8} required={!agent} value={form.password} onChange={(e) => set({ password: e.target.value })} />
          <small>At least 8 characters. It is never shown again.</small></label>
        <label>Role
          <select value={form.role} onChange={(e) => set({ role: e.target.value as Role })}>
            <option value="agent">Agent</option><option value="supervisor">Supervisor</option><option value="admin">Admin</option>
          </select></label>
        <label>Capacity<input type="number" min={0} max={1000} required value={form.capacity} onChange={(e) => set({ capacity: e.target.value })} />
          <small>Conversations at once.</small></label>
        <label>Languages<input placeholder="en, pt" value={form.languages} onChange={(e) => set({ languages: e.target.value })} />
          <small>Comma-separated codes; empty means any.</small></label>
      </div>
      <fieldset className="checks">
        <legend>Teams</legend>
        {teams.length === 0 ? <p className="muted small">No teams yet.</p> : teams.map((t) => (
          <label key={t.id} className="check">
            <input type="checkbox" checked={form.teams.includes(t.id)}
              onChange={(e) => set({ teams: e.target.checked ? [...form.teams, t.id] : form.teams.filter((x) => x !== t.id) })} />
            {t.name}
          </label>))}
      </fieldset>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : agent ? 'Save' : 'Create agent'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}
