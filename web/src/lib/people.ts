// Who a conversation is with on our side: the assignee's and a note author's
// name, the team's name. The API gives ids; the names come from the agents
// and teams lists, which only supervisors and admins may read, so an agent
// sees "you" for themself and "agent #7" for anyone else.

export type Named = { id: number; name: string };

/** The assignee as people say it: "Ana Souza", "you (Ana Souza)", or "agent #7" when unknown. */
export function agentName(agents: readonly Named[], id: number | null | undefined, me: Named | null): string | null {
  if (id === null || id === undefined) return null;
  const name = agents.find((a) => a.id === id)?.name || (me?.id === id ? me.name : '');
  if (me?.id === id) return name ? `you (${name})` : 'you';
  return name || `agent #${id}`;
}

/** "Billing", or "team #3" when the teams cannot be read. */
export function teamLabel(teams: readonly Named[], id: number | null | undefined): string | null {
  if (id === null || id === undefined) return null;
  return teams.find((t) => t.id === id)?.name || `team #${id}`;
}

/** The status pill's words: "Assigned to Ana", "Pending · Ana" when someone has it. */
export function statusWithAssignee(statusText: string, status: string, assignee: string | null): string {
  if (!assignee) return statusText;
  if (status === 'assigned') return `${statusText} to ${assignee}`;
  return status === 'pending' ? `${statusText} · ${assignee}` : statusText;
}

/** A note's author: the agent's name, or the API token's ("API token ci"). */
export function noteAuthor(agents: readonly Named[], note: { author_id?: number; author: string }, me: Named | null): string {
  if (note.author_id !== undefined) return agentName(agents, note.author_id, me) ?? note.author;
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
