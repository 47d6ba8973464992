// A tiny router over the History API: the inbox and the admins' pages.
import { useEffect, useState } from 'react';

export type Route =
  | { page: 'inbox'; conversationId: number | null }
  | { page: 'campaigns'; campaignId: number | null }
  | { page: SharedPage }
  | { page: AdminPage };

/** Pages every signed-in user sees, after the inbox. */
export const SHARED_PAGES = [
  { page: 'templates', path: '/templates', label: 'Templates' },
  { page: 'reports', path: '/reports', label: 'Reports' },
] as const;
export type SharedPage = (typeof SHARED_PAGES)[number]['page'];

/** Supervisors' and admins' pages, before the admins' ones. */
export const STAFF_PAGES = [
  { page: 'campaigns', path: '/campaigns', label: 'Campaigns' },
] as const;

/** The admins' pages, in the order of the navigation. */
export const ADMIN_PAGES = [
  { page: 'agents', path: '/agents', label: 'Agents' },
  { page: 'teams', path: '/teams', label: 'Teams' },
  { page: 'labels', path: '/labels', label: 'Labels' },
  { page: 'canned', path: '/canned-responses', label: 'Canned responses' },
  { page: 'sla', path: '/sla-policies', label: 'SLA policies' },
  { page: 'rules', path: '/rules', label: 'Rules' },
  { page: 'numbers', path: '/numbers', label: 'Numbers' },
  { page: 'tokens', path: '/tokens', label: 'API tokens' },
  { page: 'webhooks', path: '/webhooks', label: 'Webhooks' },
  { page: 'audit', path: '/audit', label: 'Audit' },
  { page: 'dlq', path: '/dlq', label: 'DLQ' },
  { page: 'health', path: '/health', label: 'Health' },
  { page: 'system', path: '/system', label: 'System' },
] as const;
export type AdminPage = (typeof ADMIN_PAGES)[number]['page'];

export function parseRoute(pathname: string): Route {
  const m = /^\/conversations\/(\d+)\/?$/.exec(pathname);
  if (m) return { page: 'inbox', conversationId: Number(m[1]) };
  const c = /^\/campaigns(?:\/(\d+))?\/?$/.exec(pathname);
  if (c) return { page: 'campaigns', campaignId: c[1] ? Number(c[1]) : null };
  const path = pathname.replace(/\/$/, '');
  const shared = SHARED_PAGES.find((p) => p.path === path);
  if (shared) return { page: shared.page };
  const admin = ADMIN_PAGES.find((p) => p.path === path);
  if (admin) return { page: admin.page };
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
