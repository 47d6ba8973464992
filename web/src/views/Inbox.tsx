// The inbox: filters, the conversation list (live), and the open conversation.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { errorText, type Api, type LiveEvent, type NumberOut } from '../api/client';
import { CONVERSATION_STATUSES, shortTime, statusLabel } from '../lib/format';
import { contactInitials, contactName, contactSubline } from '../lib/contact';
import { INITIAL_INBOX, filtersFromQuery, filtersToQuery, inboxReducer, visible, type Filters } from '../lib/inbox';
import { useLiveEvents } from '../lib/live';
import { navigate } from '../lib/router';
import type { Session } from '../lib/session';
import { ConversationView } from './ConversationView';

const PAGE = 50;

export function Inbox({ api, session, conversationId, search }: {
  api: Api; session: Session; conversationId: number | null; search: string;
}) {
  const filters = useMemo(() => filtersFromQuery(search), [search]);
  const [state, dispatch] = useReducer(inboxReducer, INITIAL_INBOX);
  const [numbers, setNumbers] = useState<NumberOut[]>([]);
  const [detailTick, setDetailTick] = useState(0);
  const request = useRef(0);
  const myAgentId = session.me.agent?.id ?? null;

  const load = useCallback(async () => {
    const seq = ++request.current;
    dispatch({ type: 'loading' });
    try {
      const { data, error } = await api.GET('/api/v1/conversations', {
        params: { query: { status: filters.status || undefined, number: filters.number || undefined, limit: PAGE } },
      });
      if (seq !== request.current) return;
      if (!data) throw new Error(errorText(error, 'Could not load conversations'));
      dispatch({ type: 'loaded', items: data.items, nextCursor: data.next_cursor ?? null });
    } catch (err) {
      if (seq === request.current) dispatch({ type: 'failed', error: errorText(err, 'Could not load conversations') });
    }
  }, [api, filters.status, filters.number]);

  const loadMore = async () => {
    if (!state.nextCursor) return;
    const { data, error } = await api.GET('/api/v1/conversations', {
      params: { query: { status: filters.status || undefined, number: filters.number || undefined, limit: PAGE, cursor: state.nextCursor } },
    });
    if (data) dispatch({ type: 'more', items: data.items, nextCursor: data.next_cursor ?? null });
    else dispatch({ type: 'failed', error: errorText(error, 'Could not load more') });
  };

  useEffect(() => { void load(); }, [load]);
  useEffect(() => {
    api.GET('/api/v1/numbers').then(({ data }) => setNumbers(data ?? []), () => undefined);
  }, [api]);

  // Live: reload the list (coalesced) and the open conversation on events.
  const reloadTimer = useRef<number | undefined>(undefined);
  const scheduleReload = useCallback(() => {
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => void load(), 150);
  }, [load]);
  const onEvent = useCallback((e: LiveEvent) => {
    scheduleReload();
    if (e.conversation_id === conversationId) setDetailTick((t) => t + 1);
  }, [scheduleReload, conversationId]);
  const onResync = useCallback(() => { scheduleReload(); setDetailTick((t) => t + 1); }, [scheduleReload]);
  const live = useLiveEvents(session.token, onEvent, onResync);

  const setFilters = (f: Partial<Filters>) => {
    const next = { ...filters, ...f };
    const base = conversationId ? `/conversations/${conversationId}` : '/';
    window.history.replaceState(null, '', base + filtersToQuery(next));
    window.dispatchEvent(new PopStateEvent('popstate'));
  };

  const shown = visible(state.items, filters, myAgentId);
  const numberOptions = numbers.length
    ? numbers.map((n) => ({ value: n.phone_number_id, label: n.display_phone || n.name || n.phone_number_id }))
    : [...new Set(state.items.map((c) => c.business_number))].map((v) => ({ value: v, label: v }));
  const numberLabel = (id: string) => numberOptions.find((o) => o.value === id)?.label ?? id;

  const open = (id: number) => navigate(`/conversations/${id}${filtersToQuery(filters)}`);

  return (
    <div className={`inbox ${conversationId ? 'has-open' : ''}`}>
      <section className="list-pane" aria-label="Conversations">
        <div className="list-head">
          <h1>Inbox</h1>
          <LiveBadge state={live} />
        </div>
        <div className="filters" role="search">
          <input type="search" placeholder="Search name, username or number" aria-label="Search conversations"
            value={filters.search} onChange={(e) => setFilters({ search: e.target.value })} />
          <div className="filter-row">
            <select aria-label="Status" value={filters.status} onChange={(e) => setFilters({ status: e.target.value })}>
              <option value="">All statuses</option>
              {CONVERSATION_STATUSES.map((s) => <option key={s} value={s}>{statusLabel(s)}</option>)}
            </select>
            <select aria-label="Business number" value={filters.number} onChange={(e) => setFilters({ number: e.target.value })}>
              <option value="">All numbers</option>
              {numberOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
            {myAgentId !== null && (
              <label className="check"><input type="checkbox" checked={filters.mine} onChange={(e) => setFilters({ mine: e.target.checked })} /> Mine</label>
            )}
          </div>
        </div>
        {state.error && (
          <div className="banner error" role="alert">{state.error} <button type="button" className="link" onClick={() => void load()}>Retry</button></div>
        )}
        {state.loading && state.items.length === 0 ? (
          <ul className="conv-list" aria-busy="true">{[0, 1, 2, 3].map((i) => <li key={i} className="skeleton" />)}</ul>
        ) : shown.length === 0 && !state.error ? (
          <div className="empty">
            <p className="empty-title">{state.items.length ? 'Nothing matches these filters' : 'No conversations yet'}</p>
            <p>{state.items.length ? 'Try another search or status.' : 'New customer messages appear here as they arrive.'}</p>
          </div>
        ) : (
          <ul className="conv-list" data-testid="conversation-list">
            {shown.map((c) => (
              <li key={c.id}>
                <a href={`/conversations/${c.id}`} className="conv-item" aria-current={c.id === conversationId ? 'true' : undefined}
                  onClick={(e) => { e.preventDefault(); open(c.id); }}>
                  <span className="avatar" aria-hidden="true">{contactInitials(c.contact)}</span>
                  <span className="conv-main">
                    <span className="conv-top">
                      <span className="conv-name">{contactName(c.contact)}</span>
                      <time dateTime={c.last_message_at}>{shortTime(c.last_message_at)}</time>
                    </span>
                    <span className="conv-sub">
                      <span className="conv-phone">{[contactSubline(c.contact, { compact: true }), numberLabel(c.business_number)].filter(Boolean).join(' · ')}</span>
                      <span className={`status-pill s-${c.status}`}>{statusLabel(c.status)}</span>
                    </span>
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
        {state.nextCursor && <button type="button" className="ghost more" onClick={() => void loadMore()}>Load more</button>}
      </section>
      <section className="detail-pane" aria-label="Conversation">
        {conversationId ? (
          <ConversationView key={conversationId} api={api} id={conversationId} refresh={detailTick} isAgent={myAgentId !== null}
            onBack={() => navigate('/' + filtersToQuery(filters))} onReplied={scheduleReload} />
        ) : (
          <div className="empty center">
            <p className="empty-title">Select a conversation</p>
            <p>Pick one from the list to read the timeline and reply.</p>
          </div>
        )}
      </section>
    </div>
  );
}

function LiveBadge({ state }: { state: 'connecting' | 'live' | 'reconnecting' }) {
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting · polling';
  return <span className={`live-badge ${state}`} role="status" data-testid="live-state" data-state={state}>{text}</span>;
}
