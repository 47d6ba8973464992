// Presence in the dashboard: the heartbeat that keeps a signed-in agent
// online (away once idle; the server decides from the idle time it is
// told), and the collision notice ("Ana is typing…") from other agents'
// activity events on the live channel. Nothing here is stored anywhere.
import { useEffect, useRef, useState } from 'react';
import type { Api, LiveEvent } from '../api/client';

/** What the user does that counts as activity. */
export const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'pointermove', 'wheel', 'touchstart', 'focus'] as const;
/** Beat this often until the server says otherwise. */
export const DEFAULT_HEARTBEAT_SECS = 30;
/** An activity shown for this long after its last event (viewers re-announce every VIEWING_EVERY_MS). */
export const ACTIVITY_TTL_MS = 15_000;
export const VIEWING_EVERY_MS = 10_000;
/** Typing is announced at most this often. */
export const TYPING_EVERY_MS = 3_000;

/** Whole seconds since `lastActive`. */
export function idleSeconds(lastActive: number, now: number): number {
  return Math.max(0, Math.floor((now - lastActive) / 1000));
}

/**
 * Keeps the signed-in agent's presence: a heartbeat at once, then every
 * `heartbeat_secs`, and at once when the user comes back after having been
 * idle long enough to be away.
 */
export function useHeartbeat(api: Api, enabled: boolean): string | null {
  const [presence, setPresence] = useState<string | null>(null);
  const lastActive = useRef(Date.now());
  const config = useRef({ every: DEFAULT_HEARTBEAT_SECS, awayAfter: 300 });
  const presenceRef = useRef<string | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: number | undefined;
    const send = async () => {
      window.clearTimeout(timer);
      const idle_secs = idleSeconds(lastActive.current, Date.now());
      const { data } = await api.POST('/api/v1/presence/heartbeat', { body: { idle_secs } }).catch(() => ({ data: undefined }));
      if (stopped) return;
      if (data) {
        config.current = { every: data.heartbeat_secs, awayAfter: data.away_after_secs };
        presenceRef.current = data.presence;
        setPresence(data.presence);
      }
      timer = window.setTimeout(() => void send(), config.current.every * 1000);
    };
    const onActivity = () => {
      const wasAway = presenceRef.current === 'away';
      lastActive.current = Date.now();
      if (wasAway) { presenceRef.current = 'online'; void send(); }
    };
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, onActivity, { passive: true, capture: true });
    void send();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, onActivity, { capture: true });
    };
  }, [api, enabled]);
  return presence;
}

export type Activity = 'viewing' | 'typing';
export type Others = Record<number, { name: string; activity: Activity; at: number }>;

/** Whether a live event is another agent's activity (not a change to reload for). */
export function isActivity(e: LiveEvent): boolean {
  return e.kind === 'viewing' || e.kind === 'typing' || e.kind === 'left';
}

/** `others` after an activity event of `conversationId` (ours and other conversations' are ignored). */
export function applyActivity(others: Others, e: LiveEvent, conversationId: number, myAgentId: number | null, now: number): Others {
  if (!isActivity(e) || e.conversation_id !== conversationId || e.agent_id == null || e.agent_id === myAgentId) return others;
  const next = { ...others };
  if (e.kind === 'left') delete next[e.agent_id];
  else next[e.agent_id] = { name: e.agent_name || `Agent #${e.agent_id}`, activity: e.kind as Activity, at: now };
  return next;
}

/** "Ana is typing…", "Ana and Bo are viewing", "Ana is typing…; Bo is viewing"; null when nobody (fresh) is. */
export function collisionText(others: Others, now: number): string | null {
  const fresh = Object.values(others).filter((o) => now - o.at < ACTIVITY_TTL_MS);
  const names = (a: Activity) => fresh.filter((o) => o.activity === a).map((o) => o.name).sort();
  const say = (list: string[], verb: string) => {
    if (list.length === 0) return null;
    const who = list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
    return `${who} ${list.length === 1 ? 'is' : 'are'} ${verb}`;
  };
  const parts = [say(names('typing'), 'typing…'), say(names('viewing'), 'viewing')].filter(Boolean);
  return parts.length ? parts.join('; ') : null;
}

/**
 * Tells the other agents that this one has conversation `id` open (every
 * VIEWING_EVERY_MS) and when it leaves; returns `typing()`, to call on
 * each keystroke (sent at most every TYPING_EVERY_MS).
 */
export function useActivity(api: Api, id: number, enabled: boolean): () => void {
  const lastTyping = useRef(0);
  useEffect(() => {
    if (!enabled) return;
    const say = (activity: 'viewing' | 'typing' | 'left') =>
      api.POST('/api/v1/conversations/{id}/activity', { params: { path: { id } }, body: { activity } }).catch(() => undefined);
    void say('viewing');
    const timer = window.setInterval(() => void say('viewing'), VIEWING_EVERY_MS);
    return () => { window.clearInterval(timer); void say('left'); };
  }, [api, id, enabled]);
  return () => {
    if (!enabled) return;
    const now = Date.now();
    if (now - lastTyping.current < TYPING_EVERY_MS) return;
    lastTyping.current = now;
    void api.POST('/api/v1/conversations/{id}/activity', { params: { path: { id } }, body: { activity: 'typing' } }).catch(() => undefined);
  };
}
