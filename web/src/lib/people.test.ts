import { expect, test } from 'vitest';
import { agentName, noteAuthor, statusWithAssignee, teamLabel, transferBody } from './people';

const agents = [{ id: 1, name: 'Ana Souza' }, { id: 2, name: 'Bruno Lima' }];
const me = { id: 2, name: 'Bruno Lima' };

test('an assignee reads as a name, "you" for oneself, and an id only when unknown', () => {
  expect(agentName(agents, 1, me)).toBe('Ana Souza');
  expect(agentName(agents, 2, me)).toBe('you (Bruno Lima)');
  // An agent cannot list the agents: still knows themself.
  expect(agentName([], 2, me)).toBe('you (Bruno Lima)');
  expect(agentName([], 9, me)).toBe('agent #9');
  expect(agentName(agents, undefined, me)).toBeNull();
});

test('teams by name, or by id when the list cannot be read', () => {
  expect(teamLabel([{ id: 3, name: 'Billing' }], 3)).toBe('Billing');
  expect(teamLabel([], 3)).toBe('team #3');
  expect(teamLabel([], undefined)).toBeNull();
});

test('the status says to whom a conversation is assigned', () => {
  expect(statusWithAssignee('Assigned', 'assigned', 'Ana Souza')).toBe('Assigned to Ana Souza');
  expect(statusWithAssignee('Pending', 'pending', 'you')).toBe('Pending · you');
  expect(statusWithAssignee('Resolved', 'resolved', 'Ana Souza')).toBe('Resolved');
  expect(statusWithAssignee('Assigned', 'assigned', null)).toBe('Assigned');
});

test('a note is signed by its agent, or by the API token that wrote it', () => {
  expect(noteAuthor(agents, { author_id: 1, author: 'agent:1' }, me)).toBe('Ana Souza');
  expect(noteAuthor(agents, { author: 'token:ci-bot' }, me)).toBe('API token ci-bot');
  expect(noteAuthor(agents, { author: 'system' }, me)).toBe('system');
});

test('a transfer names an agent, a team or both, never neither', () => {
  expect(transferBody(4, '2', '')).toEqual({ version: 4, agent_id: 2 });
  expect(transferBody(4, '', '3')).toEqual({ version: 4, team_id: 3 });
  expect(transferBody(4, '2', '3')).toEqual({ version: 4, agent_id: 2, team_id: 3 });
  expect(transferBody(4, '', '')).toBeNull();
});

test('names the API gives stand in when the lists cannot be read', () => {
  expect(agentName([], 7, null, 'Bo')).toBe('Bo');
  expect(agentName([], 7, { id: 7, name: 'Bo' }, 'Bo')).toBe('you (Bo)');
  expect(teamLabel([], 3, 'Billing')).toBe('Billing');
  expect(noteAuthor([], { author_id: 7, author: 'agent:7', author_name: 'Bo' }, null)).toBe('Bo');
});
