// An agent's saved default inbox view (filters and order), kept in this
// browser's localStorage under the agent's id: the inbox opens with it at
// sign-in. Not shared between browsers (no API holds it).
import { filtersFromQuery, filtersToQuery, type Filters } from './inbox';

const viewKey = (agentId: number) => `wharf.inbox.default.${agentId}`;

/** The saved view as a query string ("?status=queued&sort=waiting"), or null when none is saved. */
export function loadDefaultView(agentId: number | null, storage: Pick<Storage, 'getItem'> = localStorage): string | null {
  if (agentId === null) return null;
  const raw = storage.getItem(viewKey(agentId));
  // Stored through the filters, so only what the inbox understands comes back.
  return raw ? filtersToQuery(filtersFromQuery(raw)) || null : null;
}

/** Saves `f` (without its search text: a default is a view, not a search) as the agent's default. */
export function saveDefaultView(agentId: number, f: Filters, storage: Pick<Storage, 'setItem' | 'removeItem'> = localStorage): string | null {
  const q = filtersToQuery({ ...f, search: '' });
  if (q) storage.setItem(viewKey(agentId), q); else storage.removeItem(viewKey(agentId));
  return q || null;
}

export function forgetDefaultView(agentId: number, storage: Pick<Storage, 'removeItem'> = localStorage): void {
  storage.removeItem(viewKey(agentId));
}

/** Where sign-in lands: the saved view on a bare inbox ("/"), else where the agent was going. */
export function landing(pathname: string, search: string, saved: string | null): string | null {
  return pathname === '/' && !search && saved ? `/${saved}` : null;
}
