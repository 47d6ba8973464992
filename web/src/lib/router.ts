// A tiny router over the History API: the dashboard has three places.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'inbox'; conversationId: number | null }
  | { page: 'system' }
  | { page: 'dlq' };

export function parseRoute(pathname: string): Route {
  const m = /^\/conversations\/(\d+)\/?$/.exec(pathname);
  if (m) return { page: 'inbox', conversationId: Number(m[1]) };
  const path = pathname.replace(/\/$/, '');
  if (path === '/system') return { page: 'system' };
  if (path === '/dlq') return { page: 'dlq' };
  return { page: 'inbox', conversationId: null };
}

export function navigate(to: string): void {
  if (to === window.location.pathname + window.location.search) return;
  window.history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useLocation(): { pathname: string; search: string } {
  const [loc, setLoc] = useState(() => ({ pathname: window.location.pathname, search: window.location.search }));
  useEffect(() => {
    const on = () => setLoc({ pathname: window.location.pathname, search: window.location.search });
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return loc;
}
