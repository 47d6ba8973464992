// Bulk actions on the selected conversations of the list: the request
// (each row with the version the list shows, so a conversation changed
// since is refused by the API, not overwritten) and what to tell the agent
// about the rows that were not applied.
import type { components } from '../api/schema';
import type { Conversation } from '../api/client';
import { contactName } from './contact';

export type BulkIn = components['schemas']['BulkIn'];
export type BulkOut = components['schemas']['BulkOut'];
export type BulkAction = BulkIn['action'];

/** What the bar asks for: assign (agent and/or team), a label on or off, resolve. */
export type BulkChoice =
  | { action: 'assign'; agentId?: number; teamId?: number }
  | { action: 'label_add' | 'label_remove'; labelId: number }
  | { action: 'resolve' };

/** The request for `choice` on `selected` (each with the version shown). */
export function bulkRequest(choice: BulkChoice, selected: Conversation[]): BulkIn {
  const items = selected.map((c) => ({ id: c.id, version: c.version }));
  switch (choice.action) {
    case 'assign':
      return { action: 'assign', items, agent_id: choice.agentId, team_id: choice.teamId };
    case 'label_add':
    case 'label_remove':
      return { action: choice.action, items, label_id: choice.labelId };
    case 'resolve':
      return { action: 'resolve', items };
  }
}

const REASON: Record<string, string> = {
  conflict: 'changed since you loaded it; check it and try again',
  forbidden: 'belongs to a team you are not in',
  not_found: 'no longer exists',
  invalid_state: 'cannot take this action now',
};

export type BulkProblem = { id: number; who: string; reason: string };

/** The rows that were not applied, named and with a reason people read. */
export function bulkProblems(out: BulkOut, shown: Conversation[]): BulkProblem[] {
  const byId = new Map(shown.map((c) => [c.id, c]));
  return out.rows.filter((r) => !r.ok).map((r) => {
    const c = r.conversation ?? byId.get(r.id);
    const reason = r.code && REASON[r.code]
      ? (r.code === 'invalid_state' && r.detail ? `${REASON[r.code]} (${r.detail})` : REASON[r.code])
      : (r.detail ?? 'failed');
    return { id: r.id, who: c ? contactName(c.contact) : `#${r.id}`, reason };
  });
}

/** "Resolved 3 conversations." / "Assigned 2 of 3: 1 not applied." */
export function bulkSummary(out: BulkOut, action: BulkAction): string {
  const verb = { assign: 'Assigned', label_add: 'Labelled', label_remove: 'Unlabelled', resolve: 'Resolved' }[action];
  const total = out.applied + out.failed;
  const noun = total === 1 ? 'conversation' : 'conversations';
  return out.failed === 0
    ? `${verb} ${out.applied} ${noun}.`
    : `${verb} ${out.applied} of ${total} ${noun}: ${out.failed} not applied.`;
}

/** The selection after the list reloaded: only ids still shown. */
export function keepShown(selected: Set<number>, shown: Conversation[]): Set<number> {
  const ids = new Set(shown.map((c) => c.id));
  const next = new Set([...selected].filter((id) => ids.has(id)));
  return next.size === selected.size ? selected : next;
}
