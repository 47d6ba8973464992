// Canned responses (admins and supervisors): saved answers agents insert
// with `/shortcut` in the reply box, global or one team's; placeholders
// such as {{contact.first_name}} are filled per conversation by the API.
import { useState, type FormEvent } from 'react';
import type { components } from '../api/schema';
import type { Api } from '../api/client';
import type { Canned } from '../lib/canned';
import { call, RowActions, RowsPage, States, useLoaded, useRowEditing } from './adminKit';
import { useDialog } from './Dialog';

type TeamOut = components['schemas']['TeamOut'];

export const PLACEHOLDERS = ['contact.name', 'contact.first_name', 'contact.phone', 'contact.username', 'contact.wa_id', 'contact.<attribute>', 'agent.name'];

export function CannedResponses({ api }: { api: Api }) {
  const list = useLoaded<Canned[]>(api, () => api.GET('/api/v1/canned-responses'), 'Could not load the canned responses');
  const teams = useLoaded<TeamOut[]>(api, () => api.GET('/api/v1/teams'), 'Could not load the teams');
  const rows = useRowEditing<Canned>(() => void list.reload());
  const remove = (c: Canned) => rows.remove(() => api.DELETE('/api/v1/canned-responses/{id}', { params: { path: { id: c.id } } }),
    'Could not delete the canned response', `/${c.shortcut} was deleted.`);

  return (
    <RowsPage title="Canned responses" newLabel="New canned response" rows={rows}
      form={(row) => <CannedForm api={api} canned={row} teams={teams.data ?? []} onDone={rows.done} />}
      deleteName={(row) => `/${row.shortcut}`} onDelete={remove}
      confirm={(row) => (
        <p>Delete /{row.shortcut} ({row.title})? Agents can no longer insert it.</p>
      )}>
      <States label="Canned responses" loaded={list} empty={!list.data?.length}
        emptyText="No canned responses yet. Create one; agents insert it by typing / and its shortcut in the reply box.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Shortcut</th><th>Title</th><th>Text</th><th>For</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{list.data?.map((c) => (
              <tr key={c.id}>
                <td className="mono">/{c.shortcut}</td><td>{c.title}</td>
                <td className="canned-body">{c.body}</td><td>{c.team_name ?? 'Everyone'}</td>
                <RowActions name={`/${c.shortcut}`} onEdit={() => rows.edit(c)} onDelete={() => rows.setDeleting(c)} />
              </tr>))}</tbody>
          </table>
        </div>
      </States>
    </RowsPage>
  );
}

function CannedForm({ api, canned, teams, onDone }: { api: Api; canned: Canned | null; teams: TeamOut[]; onDone: (text: string | null) => void }) {
  const [shortcut, setShortcut] = useState(canned?.shortcut ?? '');
  const [title, setTitle] = useState(canned?.title ?? '');
  const [body, setBody] = useState(canned?.body ?? '');
  const [team, setTeam] = useState(canned?.team_id ? String(canned.team_id) : '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useDialog<HTMLFormElement>(() => onDone(null));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const teamId = team ? Number(team) : null;
    const r = canned
      ? await call(() => api.PATCH('/api/v1/canned-responses/{id}', {
        params: { path: { id: canned.id } },
        body: { shortcut, title, body, ...(teamId === null ? { global: true } : { team_id: teamId }) },
      }), 'Could not save the canned response')
      : await call(() => api.POST('/api/v1/canned-responses', { body: { shortcut, title, body, team_id: teamId ?? undefined } }), 'Could not create the canned response');
    setBusy(false);
    if (r.error) setError(r.error); else onDone(canned ? `/${shortcut.replace(/^\//, '').toLowerCase()} was saved.` : `/${shortcut.replace(/^\//, '').toLowerCase()} was created.`);
  };

  const heading = canned ? `Edit /${canned.shortcut}` : 'New canned response';
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={heading}>
      <h2>{heading}</h2>
      <div className="form-grid">
        <label>Shortcut<input required maxLength={32} pattern="/?[A-Za-z0-9_\-]+" value={shortcut} onChange={(e) => setShortcut(e.target.value)} placeholder="refund" autoFocus /></label>
        <label>Title<input required maxLength={80} value={title} onChange={(e) => setTitle(e.target.value)} /></label>
        <label>For<select value={team} onChange={(e) => setTeam(e.target.value)}>
          <option value="">Everyone</option>
          {teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
        </select></label>
        <label className="wide">Text<textarea required rows={4} maxLength={4096} value={body} onChange={(e) => setBody(e.target.value)} /></label>
      </div>
      <p className="muted small">Placeholders: {PLACEHOLDERS.map((p) => `{{${p}}}`).join(' ')}</p>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : canned ? 'Save' : 'Create canned response'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}
