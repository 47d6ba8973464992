// The shell: login gate, top bar, and the page for the current route.
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { apiClient } from './api/client';
import { loadSession, saveSession, displayName, type Session } from './lib/session';
import { useHeartbeat } from './lib/presence';
import { ADMIN_PAGES, navigate, parseRoute, SHARED_PAGES, STAFF_PAGES, useLocation } from './lib/router';
import { Login } from './views/Login';
import { Inbox } from './views/Inbox';
import { System } from './views/System';
import { DeadLetters } from './views/DeadLetters';
import { AlertBanner } from './views/AlertBanner';
import { Agents } from './views/Agents';
import { Teams } from './views/Teams';
import { Labels } from './views/Labels';
import { SlaPolicies } from './views/SlaPolicies';
import { CannedResponses } from './views/CannedResponses';
import { Rules } from './views/Rules';
import { Tokens } from './views/Tokens';
import { Webhooks } from './views/Webhooks';
import { Audit } from './views/Audit';
import { Numbers } from './views/Numbers';
import { Templates } from './views/Templates';
import { AdminOnly } from './views/adminKit';
import { ShortcutSheet } from './views/ShortcutSheet';
import { MenuSvg } from './views/icons';
import { labelTables } from './lib/table';
import { landing, loadDefaultView } from './lib/defaultView';
import { shortcutFor } from './lib/shortcuts';

// The charts library is loaded only when the health page is opened; the
// reports page only when it is opened too.
const Health = lazy(() => import('./views/Health').then((m) => ({ default: m.Health })));
const Campaigns = lazy(() => import('./views/Campaigns').then((m) => ({ default: m.Campaigns })));
const Reports = lazy(() => import('./views/Reports').then((m) => ({ default: m.Reports })));

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [expired, setExpired] = useState(false);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    // A bare inbox opens with the agent's saved default view.
    const to = landing(window.location.pathname, window.location.search, loadDefaultView(s.me.agent?.id ?? null));
    if (to) window.history.replaceState(null, '', to);
    setExpired(false);
    setSession(s);
  }, []);
  const signOut = useCallback((why: 'logout' | 'expired') => {
    saveSession(null);
    setExpired(why === 'expired');
    setSession(null);
  }, []);

  if (!session) return <Login onSignedIn={signIn} expired={expired} />;
  return <Workplace key={session.token} session={session} onSignOut={signOut} />;
}

function Workplace({ session, onSignOut }: { session: Session; onSignOut: (why: 'logout' | 'expired') => void }) {
  const api = useMemo(() => apiClient(session.token, () => onSignOut('expired')), [session.token, onSignOut]);
  const { pathname, search } = useLocation();
  const route = parseRoute(pathname);
  const isAdmin = session.me.role === 'admin';
  const isStaff = isAdmin || session.me.role === 'supervisor';
  const [menuOpen, setMenuOpen] = useState(false);
  const [help, setHelp] = useState(false);
  const header = useRef<HTMLElement>(null);
  const main = useRef<HTMLElement>(null);

  // The phone menu closes when a page opens, on Escape and on a click elsewhere.
  useEffect(() => setMenuOpen(false), [pathname]);
  useEffect(() => {
    if (!menuOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      e.preventDefault(); // the inbox does not go back as well
      setMenuOpen(false);
      header.current?.querySelector<HTMLElement>('.menu-button')?.focus();
    };
    const onDown = (e: MouseEvent) => { if (!header.current?.contains(e.target as Node)) setMenuOpen(false); };
    window.addEventListener('keydown', onKey, true);
    document.addEventListener('mousedown', onDown);
    return () => { window.removeEventListener('keydown', onKey, true); document.removeEventListener('mousedown', onDown); };
  }, [menuOpen]);

  // `?` shows the keyboard shortcuts on every page.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (shortcutFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, defaultPrevented: e.defaultPrevented,
        target: e.target as HTMLElement | null }) !== 'help') return;
      e.preventDefault();
      setHelp(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Every table reflows into cards on a phone: its cells carry their column's header.
  useEffect(() => {
    const root = main.current;
    if (!root) return;
    labelTables(root);
    const watch = new MutationObserver(() => labelTables(root));
    watch.observe(root, { childList: true, subtree: true, characterData: true });
    return () => watch.disconnect();
  }, []);

  // A signed-in agent is online while this dashboard is open and used.
  const presence = useHeartbeat(api, Boolean(session.me.agent));

  const logout = async () => {
    // Agents' login tokens are revoked; an integrator's API token is only forgotten here.
    if (session.me.agent) await api.POST('/api/v1/auth/logout').catch(() => undefined);
    onSignOut('logout');
  };

  return (
    <div className="app">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar" ref={header}>
        <a className="brand" href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>
          <span className="brand-mark" aria-hidden="true">⚓</span> <span className="brand-text">Wharf</span>
        </a>
        <button type="button" className="ghost menu-button" aria-expanded={menuOpen} aria-controls="main-nav"
          onClick={() => setMenuOpen(!menuOpen)}><MenuSvg /><span>Menu</span></button>
        <nav aria-label="Main" id="main-nav" className={menuOpen ? 'open' : undefined}>
          <a href="/" aria-current={route.page === 'inbox' ? 'page' : undefined}
            onClick={(e) => { e.preventDefault(); setMenuOpen(false); navigate('/'); }}>Inbox</a>
          {SHARED_PAGES.map((p) => (
            <a key={p.page} href={p.path} aria-current={route.page === p.page ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); setMenuOpen(false); navigate(p.path); }}>{p.label}</a>
          ))}
          {isStaff && STAFF_PAGES.map((p) => (
            <a key={p.page} href={p.path} aria-current={route.page === p.page ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); setMenuOpen(false); navigate(p.path); }}>{p.label}</a>
          ))}
          {isAdmin && ADMIN_PAGES.map((p) => (
            <a key={p.page} href={p.path} aria-current={route.page === p.page ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); setMenuOpen(false); navigate(p.path); }}>{p.label}</a>
          ))}
        </nav>
        <div className="me">
          {presence && <span className={`presence-dot p-${presence}`} role="img" data-testid="my-presence" title={`You are ${presence}`}
            aria-label={`You are ${presence}`} />}
          <span className="me-name" title={session.me.role}>{displayName(session.me)}</span>
          <span className="role-badge">{session.me.role}</span>
          <button type="button" className="ghost" onClick={logout}>Sign out</button>
        </div>
      </header>
      <AlertBanner api={api} />
      <main id="main" className="main" ref={main}>
        {route.page === 'inbox' ? (
          <Inbox api={api} session={session} conversationId={route.conversationId} search={search} onShortcuts={() => setHelp(true)} />
        ) : route.page === 'templates' ? (
          <Templates api={api} isAdmin={isAdmin} />
        ) : route.page === 'reports' ? (
          <Suspense fallback={<div className="system"><h1>Reports</h1><p className="muted" aria-busy="true">Loading…</p></div>}>
            <Reports api={api} search={search} scoped={session.me.role === 'agent'} />
          </Suspense>
        ) : route.page === 'campaigns' ? (
          !isStaff ? <AdminOnly title="Campaigns" staff /> : (
            <Suspense fallback={<div className="system"><h1>Campaigns</h1><p className="muted" aria-busy="true">Loading…</p></div>}>
              <Campaigns api={api} campaignId={route.campaignId} />
            </Suspense>
          )
        ) : !isAdmin ? (
          <AdminOnly title={ADMIN_PAGES.find((p) => p.page === route.page)?.label ?? 'This page'} />
        ) : route.page === 'system' ? (
          <System api={api} />
        ) : route.page === 'health' ? (
          <Suspense fallback={<div className="system"><h1>Health</h1><p className="muted" aria-busy="true">Loading…</p></div>}>
            <Health api={api} />
          </Suspense>
        ) : route.page === 'dlq' ? (
          <DeadLetters api={api} />
        ) : route.page === 'agents' ? (
          <Agents api={api} meId={session.me.agent?.id ?? null} />
        ) : route.page === 'teams' ? (
          <Teams api={api} />
        ) : route.page === 'labels' ? (
          <Labels api={api} />
        ) : route.page === 'canned' ? (
          <CannedResponses api={api} />
        ) : route.page === 'sla' ? (
          <SlaPolicies api={api} />
        ) : route.page === 'rules' ? (
          <Rules api={api} />
        ) : route.page === 'numbers' ? (
          <Numbers api={api} />
        ) : route.page === 'tokens' ? (
          <Tokens api={api} />
        ) : route.page === 'webhooks' ? (
          <Webhooks api={api} />
        ) : (
          <Audit api={api} />
        )}
      </main>
      {help && <ShortcutSheet onClose={() => setHelp(false)} />}
    </div>
  );
}
