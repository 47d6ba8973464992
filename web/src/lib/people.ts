// Who a conversation is with on our side: the assignee's and a note author's
// name, the team's name. The API names them (`assignee_name`, `team_name`,
// `author_name`); the agents and teams lists (supervisors and admins) name
// the rest, "you" marks oneself, and "agent #7" is left when nothing does.

export type Named = { id: number; name: string };

/** The assignee as people say it: "Ana Souza", "you (Ana Souza)", or "agent #7" when unknown; `known` is the name the API gave. */
export function agentName(agents: readonly Named[], id: number | null | undefined, me: Named | null, known?: string): string | null {
  if (id === null || id === undefined) return null;
  const name = agents.find((a) => a.id === id)?.name || known || (me?.id === id ? me.name : '');
  if (me?.id === id) return name ? `you (${name})` : 'you';
  return name || `agent #${id}`;
}

/** "Billing", or "team #3" when neither the teams list nor the API (`known`) names it. */
export function teamLabel(teams: readonly Named[], id: number | null | undefined, known?: string): string | null {
  if (id === null || id === undefined) return null;
  return teams.find((t) => t.id === id)?.name || known || `team #${id}`;
}

/** The status pill's words: "Assigned to Ana", "Pending · Ana" when someone has it. */
export function statusWithAssignee(statusText: string, status: string, assignee: string | null): string {
  if (!assignee) return statusText;
  if (status === 'assigned') return `${statusText} to ${assignee}`;
  return status === 'pending' ? `${statusText} · ${assignee}` : statusText;
}

/** A note's author: the agent's name, or the API token's ("API token ci"). */
export function noteAuthor(agents: readonly Named[], note: { author_id?: number; author: string; author_name?: string }, me: Named | null): string {
  if (note.author_id !== undefined) return agentName(agents, note.author_id, me, note.author_name) ?? note.author;
  const token = /^token:(.+)$/.exec(note.author);
  return token ? `API token ${token[1]}` : note.author;
}

/** What a transfer form sends: an agent, a team, or both; null when nothing was picked. */
export function transferBody(version: number, agentId: string, teamId: string): { version: number; agent_id?: number; team_id?: number } | null {
  const agent = agentId ? Number(agentId) : undefined;
  const team = teamId ? Number(teamId) : undefined;
  if (agent === undefined && team === undefined) return null;
  return { version, ...(agent !== undefined ? { agent_id: agent } : {}), ...(team !== undefined ? { team_id: team } : {}) };
}
