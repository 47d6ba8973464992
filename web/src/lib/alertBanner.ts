// Which firing alerts the banner shows: all of them, except those the agent
// dismissed in this browser session (sessionStorage). An alert that starts
// firing after the dismissal (another rule or instance) shows again.
import type { Alert } from '../api/client';

const KEY = 'wharf.alerts.dismissed';

/** An alert's identity: its rule and what it measured. */
export function alertKey(a: Pick<Alert, 'rule' | 'instance'>): string {
  return `${a.rule}/${a.instance}`;
}

/** The firing alerts not dismissed. */
export function undismissed<A extends Pick<Alert, 'rule' | 'instance'>>(firing: readonly A[], dismissed: ReadonlySet<string>): A[] {
  return firing.filter((a) => !dismissed.has(alertKey(a)));
}

type KeyValue = Pick<Storage, 'getItem' | 'setItem'>;

/** The dismissed alert keys of this session (none when unreadable). */
export function loadDismissed(storage: KeyValue): Set<string> {
  try {
    const v: unknown = JSON.parse(storage.getItem(KEY) ?? '[]');
    return new Set(Array.isArray(v) ? v.filter((k): k is string => typeof k === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Adds the keys of `alerts` to the session's dismissed ones; returns the new set. */
export function dismiss(storage: KeyValue, alerts: readonly Pick<Alert, 'rule' | 'instance'>[]): Set<string> {
  const next = loadDismissed(storage);
  for (const a of alerts) next.add(alertKey(a));
  try {
    storage.setItem(KEY, JSON.stringify([...next]));
  } catch {
    // Storage full or blocked: dismissed until the page reloads.
  }
  return next;
}
