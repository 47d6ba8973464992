// The inbox's state: the loaded conversations and the filters over them.
// Every filter, the order and the full-text search run in the API
// (`listQuery`); the list is refreshed on live events.
import type { Conversation } from '../api/client';
import { duration } from './format';

export type Sort = 'newest' | 'waiting' | 'due';

export type Filters = {
  status: string; // '' = any
  number: string; // '' = any
  search: string;
  mine: boolean;
  unassigned: boolean;
  agent: string; // an agent's id, '' = any
  team: string; // a team's id, '' = any
  label: string; // a label's id, '' = any
  /** Snoozed conversations only; otherwise the active views leave them out (a search finds both). */
  snoozed: boolean;
  sort: Sort;
};

export const NO_FILTERS: Filters = {
  status: '', number: '', search: '', mine: false, unassigned: false, agent: '', team: '', label: '', snoozed: false, sort: 'newest',
};

/** The API query of a list request for `f` (the caller's own agent for "mine"). */
export function listQuery(f: Filters, myAgentId: number | null) {
  const assignee = f.mine && myAgentId !== null ? myAgentId : f.agent ? Number(f.agent) : undefined;
  const q = f.search.trim();
  return {
    status: f.status || undefined,
    number: f.number || undefined,
    q: q || undefined,
    assignee,
    unassigned: f.unassigned && assignee === undefined ? true : undefined,
    team: f.team ? Number(f.team) : undefined,
    label: f.label ? Number(f.label) : undefined,
    snoozed: f.snoozed ? true : q ? undefined : false,
    sort: f.sort === 'newest' ? undefined : f.sort,
  };
}

/** Whether the API's order is kept as it came (longest waiting, best match) rather than newest activity first. */
export function keepsServerOrder(f: Filters): boolean {
  return f.sort !== 'newest' || f.search.trim() !== '';
}

/** "waiting 12 min" since the customer's first unanswered message; null when nothing waits. */
export function waitingText(since: string | undefined, now: Date): string | null {
  if (!since) return null;
  return `waiting ${duration(Math.max(0, now.getTime() - Date.parse(since)))}`;
}

/** The list's one-line preview of a message: its text, or what kind it is ("Image"), "You: " before ours. */
export function previewText(m: Conversation['last_message']): string {
  if (!m) return '';
  const what = m.text ?? `${m.kind.charAt(0).toUpperCase()}${m.kind.slice(1).replace(/_/g, ' ')}`;
  return m.direction === 'outbound' ? `You: ${what}` : what;
}

export type InboxState = {
  items: Conversation[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
  /** Keep the API's order (longest waiting, best match) instead of newest activity first. */
  serverOrder: boolean;
};

export type InboxAction =
  | { type: 'loading' }
  | { type: 'loaded'; items: Conversation[]; nextCursor: string | null; serverOrder?: boolean }
  | { type: 'more'; items: Conversation[]; nextCursor: string | null }
  | { type: 'failed'; error: string }
  | { type: 'upsert'; conversation: Conversation };

export const INITIAL_INBOX: InboxState = { items: [], nextCursor: null, loading: true, error: null, serverOrder: false };

export function inboxReducer(state: InboxState, action: InboxAction): InboxState {
  const order = (serverOrder: boolean, items: Conversation[]) => (serverOrder ? items : sortNewest(items));
  switch (action.type) {
    case 'loading':
      return { ...state, loading: true, error: null };
    case 'loaded': {
      const serverOrder = action.serverOrder ?? false;
      return { items: order(serverOrder, action.items), nextCursor: action.nextCursor, loading: false, error: null, serverOrder };
    }
    case 'more':
      return {
        ...state,
        items: order(state.serverOrder, mergeById(state.items, action.items)),
        nextCursor: action.nextCursor,
        loading: false,
      };
    case 'failed':
      // Keep what is shown; say that it may be stale.
      return { ...state, loading: false, error: action.error };
    case 'upsert':
      return { ...state, items: order(state.serverOrder, mergeById(state.items, [action.conversation])) };
  }
}

/** `base` with each of `updates` replacing the item of the same id, or added. */
export function mergeById(base: Conversation[], updates: Conversation[]): Conversation[] {
  const byId = new Map(base.map((c) => [c.id, c]));
  for (const u of updates) {
    const old = byId.get(u.id);
    // A stale copy (lower version) never replaces a newer one.
    if (!old || u.version >= old.version) byId.set(u.id, u);
  }
  return [...byId.values()];
}

/** Newest activity first; ties by id, newest first. */
export function sortNewest(items: Conversation[]): Conversation[] {
  return [...items].sort((a, b) => {
    const d = Date.parse(b.last_message_at) - Date.parse(a.last_message_at);
    return d !== 0 ? d : b.id - a.id;
  });
}

/** Filters to and from the URL's query string, so a filtered inbox can be linked. */
export function filtersFromQuery(query: string): Filters {
  const p = new URLSearchParams(query);
  return {
    status: p.get('status') ?? '',
    number: p.get('number') ?? '',
    search: p.get('q') ?? '',
    mine: p.get('mine') === '1',
    unassigned: p.get('unassigned') === '1',
    agent: p.get('agent') ?? '',
    team: p.get('team') ?? '',
    label: p.get('label') ?? '',
    snoozed: p.get('snoozed') === '1',
    sort: p.get('sort') === 'waiting' ? 'waiting' : p.get('sort') === 'due' ? 'due' : 'newest',
  };
}

export function filtersToQuery(f: Filters): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.number) p.set('number', f.number);
  if (f.search) p.set('q', f.search);
  if (f.mine) p.set('mine', '1');
  if (f.unassigned) p.set('unassigned', '1');
  if (f.agent) p.set('agent', f.agent);
  if (f.team) p.set('team', f.team);
  if (f.label) p.set('label', f.label);
  if (f.snoozed) p.set('snoozed', '1');
  if (f.sort !== 'newest') p.set('sort', f.sort);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** Whether any filter narrows the list (the order is no filter). */
export function isFiltered(f: Filters): boolean {
  return f.status !== '' || f.number !== '' || f.search.trim() !== '' || f.mine || f.unassigned
    || f.agent !== '' || f.team !== '' || f.label !== '' || f.snoozed;
}

/** What an empty list says: a filter that matches nothing is not an empty inbox. */
export function emptyListText(f: Filters): { title: string; hint: string } {
  if (f.snoozed && f.search.trim() === '') {
    return { title: 'Nothing is snoozed', hint: 'Snoozed conversations wait here until the customer writes or their time comes.' };
  }
  return isFiltered(f)
    ? { title: 'No conversations match these filters', hint: 'Try another search, status or number, or clear the filters.' }
    : { title: 'No conversations yet', hint: 'New customer messages appear here as they arrive.' };
}
