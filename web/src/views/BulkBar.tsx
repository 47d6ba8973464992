// The list's bulk bar, shown while conversations are selected: assign (to
// an agent and/or a team; an agent who may not list people assigns to
// themselves), put a label on or off, resolve. The answer says per row
// what was not applied (changed meanwhile, another team's, …); those stay
// selected and the list reloads, so the agent can look and try again.
import { useState } from 'react';
import { errorText, type Api, type Conversation, type Label } from '../api/client';
import { bulkProblems, bulkRequest, bulkSummary, type BulkChoice, type BulkProblem } from '../lib/bulk';
import type { People } from './ConversationView';

export function BulkBar({ api, selected, people, labels, onDone, onClear }: {
  api: Api; selected: Conversation[]; people: People; labels: Label[];
  /** After an answer, with the ids not applied (they stay selected, to try again once reloaded). */
  onDone: (failed: number[]) => void; onClear: () => void;
}) {
  const [agent, setAgent] = useState('');
  const [team, setTeam] = useState('');
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState<string | null>(null);
  const [problems, setProblems] = useState<BulkProblem[]>([]);

  const run = async (choice: BulkChoice) => {
    setBusy(true);
    setSummary(null);
    setProblems([]);
    const shown = selected;
    const res = await api.POST('/api/v1/conversations/bulk', { body: bulkRequest(choice, shown) })
      .catch((err: unknown) => ({ data: undefined, error: { code: 'network', detail: errorText(err) } }));
    setBusy(false);
    if (res.data) {
      setSummary(bulkSummary(res.data, choice.action));
      setProblems(bulkProblems(res.data, shown));
      onDone(res.data.rows.filter((r) => !r.ok).map((r) => r.id));
    } else {
      setSummary(errorText(res.error, 'The bulk action failed'));
    }
  };
  const assign = () => {
    const agentId = agent === 'me' ? people.me?.id : agent ? Number(agent) : undefined;
    void run({ action: 'assign', agentId, teamId: team ? Number(team) : undefined });
  };
  const count = selected.length;
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
      <div className="bulk-row">
        <strong data-testid="bulk-count">{count} selected</strong>
        <button type="button" className="link" onClick={onClear}>Clear</button>
      </div>
      {count > 0 && (
        <>
          <div className="bulk-row">
            <select aria-label="Assign to agent" value={agent} onChange={(e) => setAgent(e.target.value)}>
              <option value="">Agent…</option>
              {people.me && <option value="me">Me</option>}
              {people.agents.filter((a) => a.id !== people.me?.id).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
            </select>
            {people.canList && (
              <select aria-label="Assign to team" value={team} onChange={(e) => setTeam(e.target.value)}>
                <option value="">Team…</option>
                {people.teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            )}
            <button type="button" className="ghost" disabled={busy || (!agent && !team)} onClick={assign}>Assign</button>
          </div>
          <div className="bulk-row">
            {labels.length > 0 && (
              <>
                <select aria-label="Bulk label" value={label} onChange={(e) => setLabel(e.target.value)}>
                  <option value="">Label…</option>
                  {labels.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
                </select>
                <button type="button" className="ghost" disabled={busy || !label} onClick={() => void run({ action: 'label_add', labelId: Number(label) })}>Add label</button>
                <button type="button" className="ghost" disabled={busy || !label} onClick={() => void run({ action: 'label_remove', labelId: Number(label) })}>Remove label</button>
              </>
            )}
            <button type="button" className="ghost" disabled={busy} onClick={() => void run({ action: 'resolve' })}>Resolve</button>
          </div>
        </>
      )}
      {summary && <p className="small" role="status" data-testid="bulk-summary">{summary}</p>}
      {problems.length > 0 && (
        <ul className="bulk-problems" data-testid="bulk-problems">
          {problems.map((p) => <li key={p.id} data-conv-problem={p.id}><strong>{p.who}</strong>: {p.reason}</li>)}
        </ul>
      )}
    </div>
  );
}
