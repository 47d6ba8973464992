// The agent's attention: the unread count in the tab's title, which list
// reloads bring a new customer message (for the optional beep and the
// browser notification) and the per-agent settings, kept in localStorage
// (this browser only). Not the sound or the Notification itself
// (views/NotifyMenu.tsx).
import type { Conversation } from '../api/client';

export const BASE_TITLE = 'Wharf';

/** Unread customer messages over the conversations shown. */
export function unreadTotal(items: readonly Pick<Conversation, 'unread_count'>[]): number {
  return items.reduce((sum, c) => sum + Math.max(0, c.unread_count ?? 0), 0);
}

/** "(3) Wharf"; "Wharf" when nothing is unread; "(99+) Wharf" past 99. */
export function tabTitle(unread: number, base = BASE_TITLE): string {
  if (unread <= 0) return base;
  return `(${unread > 99 ? '99+' : unread}) ${base}`;
}

/**
 * Conversations whose newest message is a customer's one newer than
 * `seen` (the highest message id seen so far; null before the first load,
 * which announces nothing), and the new high-water mark. Message ids only
 * grow, so a reload that shows nothing newer announces nothing again.
 */
export function newCustomerMessages(seen: number | null, items: readonly Conversation[]): { fresh: Conversation[]; seen: number } {
  const top = items.reduce((max, c) => Math.max(max, c.last_message?.id ?? 0), seen ?? 0);
  if (seen === null) return { fresh: [], seen: top };
  const fresh = items.filter((c) => c.last_message && c.last_message.direction === 'inbound' && c.last_message.id > seen);
  return { fresh, seen: top };
}

export type NotifySettings = {
  /** A short beep on a new customer message. */
  sound: boolean;
  /** A browser notification on a new customer message while the tab is hidden. */
  desktop: boolean;
};

export const DEFAULT_NOTIFY: NotifySettings = { sound: false, desktop: false };

const notifyKey = (agentId: number) => `wharf.notify.${agentId}`;

/** The agent's settings in this browser; off by default. */
export function loadNotify(agentId: number | null, storage: Pick<Storage, 'getItem'> = localStorage): NotifySettings {
  if (agentId === null) return DEFAULT_NOTIFY;
  try {
    const v = JSON.parse(storage.getItem(notifyKey(agentId)) ?? 'null') as Partial<NotifySettings> | null;
    return { sound: v?.sound === true, desktop: v?.desktop === true };
  } catch {
    return DEFAULT_NOTIFY;
  }
}

export function saveNotify(agentId: number | null, s: NotifySettings, storage: Pick<Storage, 'setItem'> = localStorage): void {
  if (agentId !== null) storage.setItem(notifyKey(agentId), JSON.stringify(s));
}

/** Whether a new customer message shows a browser notification now. */
export function shouldNotify(s: NotifySettings, hidden: boolean, permission: string): boolean {
  return s.desktop && hidden && permission === 'granted';
}

/** The notification of a new customer message: who wrote, and what. */
export function notificationOf(c: Pick<Conversation, 'contact' | 'last_message'>, name: string): { title: string; body: string } {
  const m = c.last_message;
  const body = m?.text ?? (m ? `(${m.kind})` : '');
  return { title: `New message from ${name}`, body: body.length > 120 ? `${body.slice(0, 119)}…` : body };
}
