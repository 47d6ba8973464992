// The signed-in session: the bearer token and who it belongs to, kept in
// localStorage so a reload stays signed in. The token is never rendered.
import type { Me } from '../api/client';

export type Session = { token: string; me: Me };

const KEY = 'wharf.session';

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return typeof s.token === 'string' && s.me ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) localStorage.setItem(KEY, JSON.stringify(s));
  else localStorage.removeItem(KEY);
}

/** What to call the signed-in user. */
export function displayName(me: Me): string {
  return me.agent?.name || me.agent?.email || 'API token';
}
