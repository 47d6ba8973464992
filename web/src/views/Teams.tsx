// Teams (admins): name, assignment strategy, members and business hours
// (HoursFields: business-time report figures and SLA business clocks count
// only them); create, edit, delete (refused with a 409 while rules route to
// it or conversations are open in it).
import { useState, type FormEvent } from 'react';
import type { Api } from '../api/client';
import type { components } from '../api/schema';
import { hoursOf, STRATEGIES, strategyLabel } from '../lib/admin';
import { call, RowActions, RowsPage, States, useLoaded, useRowEditing } from './adminKit';
import { useDialog } from './Dialog';
import { HoursFields, type HoursValue } from './HoursFields';

type AgentOut = components['schemas']['AgentOut'];
type TeamOut = components['schemas']['TeamOut'];
type Strategy = components['schemas']['AssignmentStrategy'];

export function Teams({ api }: { api: Api }) {
  const teams = useLoaded<TeamOut[]>(api, () => api.GET('/api/v1/teams'), 'Could not load the teams');
  const agents = useLoaded<AgentOut[]>(api, () => api.GET('/api/v1/agents'), 'Could not load the agents');
  const rows = useRowEditing<TeamOut>(() => void teams.reload());
  const agentList = agents.data ?? [];
  const agentName = (id: number) => agentList.find((a) => a.id === id)?.name ?? `agent #${id}`;

  const remove = (t: TeamOut) => rows.remove(() => api.DELETE('/api/v1/teams/{id}', { params: { path: { id: t.id } } }),
    'Could not delete the team', `Team ${t.name} was deleted.`);

  return (
    <RowsPage title="Teams" newLabel="New team" rows={rows}
      form={(row) => <TeamForm api={api} team={row} agents={agentList} onDone={rows.done} />}
      deleteName={(row) => row.name} onDelete={remove}
      confirm={(row) => (
        <p>Delete team {row.name}? A team that routing rules route to, or with open conversations, cannot be deleted.</p>
      )}>
      <States label="Teams" loaded={teams} empty={!teams.data?.length} emptyText="No teams yet. Routing rules queue conversations for a team: create one with “New team”.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Name</th><th>Strategy</th><th>Members</th><th>Business hours</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{teams.data?.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td><td>{strategyLabel(t.strategy)}</td>
                <td className="wrap-cell">{t.members.length ? t.members.map(agentName).join(', ') : <span className="muted">none</span>}</td>
                <td>{t.business_hours ? `${t.business_hours.from}–${t.business_hours.to} ${t.business_hours.time_zone}` : <span className="muted">always open</span>}</td>
                <RowActions name={t.name} onEdit={() => rows.edit(t)} onDelete={() => rows.setDeleting(t)} />
              </tr>))}</tbody>
          </table>
        </div>
      </States>
    </RowsPage>
  );
}

function TeamForm({ api, team, agents, onDone }: { api: Api; team: TeamOut | null; agents: AgentOut[]; onDone: (text: string | null) => void }) {
  const [name, setName] = useState(team?.name ?? '');
  const [strategy, setStrategy] = useState<Strategy>((team?.strategy as Strategy) ?? 'round_robin');
  const [members, setMembers] = useState<number[]>(team?.members ?? []);
  const [hours, setHours] = useState<HoursValue>({
    on: !!team?.business_hours,
    timeZone: team?.business_hours?.time_zone ?? '',
    from: team?.business_hours?.from ?? '09:00',
    to: team?.business_hours?.to ?? '18:00',
    days: [...(team?.business_hours?.days ?? [1, 2, 3, 4, 5])].sort((x, y) => x - y),
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useDialog<HTMLFormElement>(() => onDone(null));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = hours.on ? hoursOf(hours) : null;
    if (checked && 'error' in checked) { setError(checked.error); return; }
    const businessHours = checked?.hours;
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), strategy, members };
    const r = team
      ? await call(() => api.PATCH('/api/v1/teams/{id}', { params: { path: { id: team.id } },
        body: { ...body, ...(businessHours ? { business_hours: businessHours } : { always_open: true }) } }), 'Could not save the team')
      : await call(() => api.POST('/api/v1/teams', { body: { ...body, business_hours: businessHours } }), 'Could not create the team');
    setBusy(false);
    if (r.error) setError(r.error); else onDone(team ? `Team ${body.name} was saved.` : `Team ${body.name} was created.`);
  };

  const title = team ? `Edit team ${team.name}` : 'New team';
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="form-grid">
        <label>Team name<input required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} autoFocus /></label>
        <label>Strategy
          <select value={strategy} onChange={(e) => setStrategy(e.target.value as Strategy)}>
            {STRATEGIES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
          <small>How queued conversations are handed to members.</small></label>
      </div>
      <fieldset className="checks">
        <legend>Members</legend>
        {agents.length === 0 ? <p className="muted small">No agents yet.</p> : agents.map((a) => (
          <label key={a.id} className="check">
            <input type="checkbox" checked={members.includes(a.id)}
              onChange={(e) => setMembers(e.target.checked ? [...members, a.id] : members.filter((x) => x !== a.id))} />
            {a.name}
          </label>))}
      </fieldset>
      <HoursFields value={hours} set={(p) => setHours({ ...hours, ...p })} legend="Business hours" toggle="Open only at certain hours"
        idPrefix="team-form" note="Business-time report figures and SLA policies on the business clock count only these hours." />
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : team ? 'Save' : 'Create team'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}
