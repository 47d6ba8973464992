// The shell: login gate, top bar, and the page for the current route.
import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { apiClient } from './api/client';
import { loadSession, saveSession, displayName, type Session } from './lib/session';
import { ADMIN_PAGES, navigate, parseRoute, SHARED_PAGES, useLocation } from './lib/router';
import { Login } from './views/Login';
import { Inbox } from './views/Inbox';
import { System } from './views/System';
import { DeadLetters } from './views/DeadLetters';
import { AlertBanner } from './views/AlertBanner';
import { Agents } from './views/Agents';
import { Teams } from './views/Teams';
import { Rules } from './views/Rules';
import { Tokens } from './views/Tokens';
import { Audit } from './views/Audit';
import { Numbers } from './views/Numbers';
import { Templates } from './views/Templates';
import { AdminOnly } from './views/adminKit';

// The charts library is loaded only when the health page is opened.
const Health = lazy(() => import('./views/Health').then((m) => ({ default: m.Health })));

export function App() {
  const [session, setSession] = useState<Session | null>(loadSession);
  const [expired, setExpired] = useState(false);

  const signIn = useCallback((s: Session) => {
    saveSession(s);
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

  const logout = async () => {
    // Agents' login tokens are revoked; an integrator's API token is only forgotten here.
    if (session.me.agent) await api.POST('/api/v1/auth/logout').catch(() => undefined);
    onSignOut('logout');
  };

  return (
    <div className="app">
      <a className="skip" href="#main">Skip to content</a>
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => { e.preventDefault(); navigate('/'); }}>
          <span className="brand-mark" aria-hidden="true">⚓</span> <span className="brand-text">Wharf</span>
        </a>
        <nav aria-label="Main">
          <a href="/" aria-current={route.page === 'inbox' ? 'page' : undefined}
            onClick={(e) => { e.preventDefault(); navigate('/'); }}>Inbox</a>
          {SHARED_PAGES.map((p) => (
            <a key={p.page} href={p.path} aria-current={route.page === p.page ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); navigate(p.path); }}>{p.label}</a>
          ))}
          {isAdmin && ADMIN_PAGES.map((p) => (
            <a key={p.page} href={p.path} aria-current={route.page === p.page ? 'page' : undefined}
              onClick={(e) => { e.preventDefault(); navigate(p.path); }}>{p.label}</a>
          ))}
        </nav>
        <div className="me">
          <span className="me-name" title={session.me.role}>{displayName(session.me)}</span>
          <span className="role-badge">{session.me.role}</span>
          <button type="button" className="ghost" onClick={logout}>Sign out</button>
        </div>
      </header>
      <AlertBanner api={api} />
      <main id="main" className="main">
        {route.page === 'inbox' ? (
          <Inbox api={api} session={session} conversationId={route.conversationId} search={search} />
        ) : route.page === 'templates' ? (
          <Templates api={api} isAdmin={isAdmin} />
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
        ) : route.page === 'rules' ? (
          <Rules api={api} />
        ) : route.page === 'numbers' ? (
          <Numbers api={api} />
        ) : route.page === 'tokens' ? (
          <Tokens api={api} />
        ) : (
          <Audit api={api} />
        )}
      </main>
    </div>
  );
}
