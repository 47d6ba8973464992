// Live updates: the API's Server-Sent Events stream (`/api/v1/events`), with
// the token as a query parameter because EventSource cannot set headers.
// While the stream is down the caller is told to poll.
import { useEffect, useRef, useState } from 'react';
import type { LiveEvent } from '../api/client';

export type LiveState = 'connecting' | 'live' | 'reconnecting';

/**
 * Subscribes to live events; `onResync` runs after each connect, the first
 * included: what the caller loaded before the stream was open may miss a
 * change whose event went out before the server subscribed this stream.
 */
export function useLiveEvents(
  token: string,
  onEvent: (e: LiveEvent) => void,
  onResync: () => void,
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onEvent, onResync });
  handlers.current = { onEvent, onResync };

  useEffect(() => {
    const url = `/api/v1/events?token=${encodeURIComponent(token)}`;
    const source = new EventSource(url);
    source.onopen = () => {
      setState('live');
      // Events are not replayed: once the stream is open (first time or
      // again), reload what is shown.
      handlers.current.onResync();
    };
    source.onerror = () => setState('reconnecting');
    source.onmessage = (m) => {
      const event = parseEvent(m.data);
      if (event) handlers.current.onEvent(event);
    };
    return () => source.close();
  }, [token]);

  // While not live, poll.
  useEffect(() => {
    if (state === 'live') return;
    const timer = window.setInterval(() => handlers.current.onResync(), 5000);
    return () => window.clearInterval(timer);
  }, [state]);

  return state;
}

/** One SSE `data:` payload as a LiveEvent, or null when it is not one. */
export function parseEvent(data: string): LiveEvent | null {
  try {
    const v = JSON.parse(data) as Partial<LiveEvent>;
    if (typeof v.kind === 'string' && typeof v.conversation_id === 'number') return v as LiveEvent;
  } catch {
    /* a malformed event is ignored */
  }
  return null;
}
