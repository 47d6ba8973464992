// The inbox's state: the loaded conversations and the filters over them.
// The list is fetched from the API (server-side filters: status, number) and
// refreshed on live events; search and "mine" filter what is loaded.
import type { Conversation } from '../api/client';
import { contactSearchText } from './contact';

export type Filters = {
  status: string; // '' = any
  number: string; // '' = any
  search: string;
  mine: boolean;
};

export const NO_FILTERS: Filters = { status: '', number: '', search: '', mine: false };

export type InboxState = {
  items: Conversation[];
  nextCursor: string | null;
  loading: boolean;
  error: string | null;
};

export type InboxAction =
  | { type: 'loading' }
  | { type: 'loaded'; items: Conversation[]; nextCursor: string | null }
  | { type: 'more'; items: Conversation[]; nextCursor: string | null }
  | { type: 'failed'; error: string }
  | { type: 'upsert'; conversation: Conversation };

export const INITIAL_INBOX: InboxState = { items: [], nextCursor: null, loading: true, error: null };

export function inboxReducer(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case 'loading':
      return { ...state, loading: true, error: null };
    case 'loaded':
      return { items: sortNewest(action.items), nextCursor: action.nextCursor, loading: false, error: null };
    case 'more':
      return {
        ...state,
        items: sortNewest(mergeById(state.items, action.items)),
        nextCursor: action.nextCursor,
        loading: false,
      };
    case 'failed':
      // Keep what is shown; say that it may be stale.
      return { ...state, loading: false, error: action.error };
    case 'upsert':
      return { ...state, items: sortNewest(mergeById(state.items, [action.conversation])) };
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

/** The conversations that pass the client-side filters (search, mine). */
export function visible(items: Conversation[], filters: Filters, myAgentId: number | null): Conversation[] {
  const q = normalize(filters.search);
  return items.filter((c) => {
    if (filters.mine && (myAgentId === null || c.assignee_id !== myAgentId)) return false;
    if (!q) return true;
    const hay = normalize(`${contactSearchText(c.contact)} #${c.id}`);
    return hay.includes(q);
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
  };
}

export function filtersToQuery(f: Filters): string {
  const p = new URLSearchParams();
  if (f.status) p.set('status', f.status);
  if (f.number) p.set('number', f.number);
  if (f.search) p.set('q', f.search);
  if (f.mine) p.set('mine', '1');
  const s = p.toString();
  return s ? `?${s}` : '';
}

function normalize(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();
}

/** Whether any filter narrows the list (server-side or over the loaded pages). */
export function isFiltered(f: Filters): boolean {
  return f.status !== '' || f.number !== '' || f.search.trim() !== '' || f.mine;
}

/** What an empty list says: a filter that matches nothing is not an empty inbox. */
export function emptyListText(f: Filters): { title: string; hint: string } {
  return isFiltered(f)
    ? { title: 'No conversations match these filters', hint: 'Try another search, status or number, or clear the filters.' }
    : { title: 'No conversations yet', hint: 'New customer messages appear here as they arrive.' };
}
