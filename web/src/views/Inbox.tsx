// The inbox: filters, the conversation list (live), and the open conversation.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { errorText, type Api, type Conversation, type Label, type LiveEvent, type NumberOut } from '../api/client';
import { CONVERSATION_STATUSES, shortTime, statusLabel } from '../lib/format';
import { contactInitials, contactName, contactSubline } from '../lib/contact';
import { INITIAL_INBOX, NO_FILTERS, emptyListText, filtersFromQuery, filtersToQuery, inboxReducer, isFiltered, keepsServerOrder, listQuery, previewText, waitingText, type Filters } from '../lib/inbox';
import { labelForNumber, numberLabel } from '../lib/numbers';
import { useLiveEvents } from '../lib/live';
import { navigate } from '../lib/router';
import { shortcutFor, step } from '../lib/shortcuts';
import type { Session } from '../lib/session';
import { ConversationView, type People } from './ConversationView';
import { LabelChip } from './LabelChip';
import { slaBadge } from '../lib/sla';
import { agentName, statusWithAssignee, type Named } from '../lib/people';
import { snoozedText, untilText } from '../lib/snooze';
import { ClockIcon } from './icons';
import { BulkBar } from './BulkBar';
import { keepShown } from '../lib/bulk';
import { NotifyMenu, useAttention, useNotifySettings } from './NotifyMenu';
import { forgetDefaultView, loadDefaultView, saveDefaultView } from '../lib/defaultView';
import { applyActivity, collisionText, isActivity, type Others } from '../lib/presence';

const PAGE = 50;

export function Inbox({ api, session, conversationId, search, onShortcuts }: {
  api: Api; session: Session; conversationId: number | null; search: string; onShortcuts: () => void;
}) {
  const filters = useMemo(() => filtersFromQuery(search), [search]);
  const [state, dispatch] = useReducer(inboxReducer, INITIAL_INBOX);
  const [numbers, setNumbers] = useState<NumberOut[]>([]);
  const [detailTick, setDetailTick] = useState(0);
  const request = useRef(0);
  const myAgentId = session.me.agent?.id ?? null;

  const query = useMemo(() => listQuery(filters, myAgentId), [filters, myAgentId]);
  const serverOrder = keepsServerOrder(filters);
  const load = useCallback(async () => {
    const seq = ++request.current;
    dispatch({ type: 'loading' });
    try {
      const { data, error } = await api.GET('/api/v1/conversations', { params: { query: { ...query, limit: PAGE } } });
      if (seq !== request.current) return;
      if (!data) throw new Error(errorText(error, 'Could not load conversations'));
      dispatch({ type: 'loaded', items: data.items, nextCursor: data.next_cursor ?? null, serverOrder });
    } catch (err) {
      if (seq === request.current) dispatch({ type: 'failed', error: errorText(err, 'Could not load conversations') });
    }
  }, [api, query, serverOrder]);

  const loadMore = async () => {
    if (!state.nextCursor) return;
    const { data, error } = await api.GET('/api/v1/conversations', {
      params: { query: { ...query, limit: PAGE, cursor: state.nextCursor } },
    });
    if (data) dispatch({ type: 'more', items: data.items, nextCursor: data.next_cursor ?? null });
    else dispatch({ type: 'failed', error: errorText(error, 'Could not load more') });
  };

  // Typing a search waits for a pause before asking the server.
  useEffect(() => {
    const t = window.setTimeout(() => void load(), filters.search ? 250 : 0);
    return () => window.clearTimeout(t);
  }, [load, filters.search]);
  const [labels, setLabels] = useState<Label[]>([]);
  const loadLabels = useCallback(() => {
    api.GET('/api/v1/labels').then(({ data }) => setLabels(data ?? []), () => undefined);
  }, [api]);
  useEffect(() => {
    api.GET('/api/v1/numbers').then(({ data }) => setNumbers(data ?? []), () => undefined);
    loadLabels();
  }, [api, loadLabels]);
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = window.setInterval(() => setNow(new Date()), 30_000);
    return () => window.clearInterval(t);
  }, []);

  // Names for assignees, note authors and transfers. Agents may not list
  // agents or teams (403): they see "you" for themselves and ids for others.
  const me = useMemo(() => (session.me.agent ? { id: session.me.agent.id, name: session.me.agent.name || session.me.agent.email } : null),
    [session.me.agent]);
  const [lists, setLists] = useState<{ agents: Named[]; teams: Named[]; canList: boolean }>({ agents: [], teams: [], canList: false });
  useEffect(() => {
    if (session.me.role === 'agent') return;
    let live = true;
    Promise.all([api.GET('/api/v1/agents'), api.GET('/api/v1/teams')]).then(([a, t]) => {
      if (live && a.data && t.data) setLists({ agents: a.data, teams: t.data, canList: true });
    }, () => undefined);
    return () => { live = false; };
  }, [api, session.me.role]);
  const people: People = useMemo(() => ({ ...lists, me }), [lists, me]);

  // Live: reload the list (coalesced) and the open conversation on events.
  const reloadTimer = useRef<number | undefined>(undefined);
  const scheduleReload = useCallback(() => {
    window.clearTimeout(reloadTimer.current);
    reloadTimer.current = window.setTimeout(() => void load(), 150);
  }, [load]);
  // Other agents in the open conversation (collision notice): ephemeral,
  // never a reason to reload.
  const [others, setOthers] = useState<Others>({});
  useEffect(() => setOthers({}), [conversationId]);
  const [tick, setTick] = useState(() => Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setTick(Date.now()), 2_000);
    return () => window.clearInterval(t);
  }, []);
  const onEvent = useCallback((e: LiveEvent) => {
    if (isActivity(e)) {
      if (conversationId !== null) setOthers((o) => applyActivity(o, e, conversationId, myAgentId, Date.now()));
      return;
    }
    scheduleReload();
    if (e.conversation_id === conversationId) setDetailTick((t) => t + 1);
  }, [scheduleReload, conversationId, myAgentId]);
  const onResync = useCallback(() => { scheduleReload(); setDetailTick((t) => t + 1); }, [scheduleReload]);
  const live = useLiveEvents(session.token, onEvent, onResync);

  const setFilters = (f: Partial<Filters>) => {
    const next = { ...filters, ...f };
    const base = conversationId ? `/conversations/${conversationId}` : '/';
    window.history.replaceState(null, '', base + filtersToQuery(next));
    window.dispatchEvent(new PopStateEvent('popstate'));
  };

  const shown = state.items;
  const [notify, setNotify] = useNotifySettings(myAgentId);
  useAttention(state.items, state.loading, notify, (id) => navigate(`/conversations/${id}${filtersToQuery(filters)}`));
  // The agent's saved default view (this browser): restored at sign-in.
  const [savedView, setSavedView] = useState(() => loadDefaultView(myAgentId));
  const [viewNote, setViewNote] = useState<string | null>(null);
  const saveView = () => {
    if (myAgentId === null) return;
    const saved = saveDefaultView(myAgentId, filters);
    setSavedView(saved);
    setViewNote(saved ? 'Saved: the inbox opens with these filters when you sign in.' : 'No filter to save: the default is the whole inbox.');
  };
  const forgetView = () => {
    if (myAgentId === null) return;
    forgetDefaultView(myAgentId);
    setSavedView(null);
    setViewNote('Default view forgotten: the inbox opens unfiltered.');
  };
  // Selected for a bulk action (ids of conversations in the list).
  const [selected, setSelected] = useState<Set<number>>(() => new Set());
  const [bulkOpen, setBulkOpen] = useState(false);
  useEffect(() => { setSelected((s) => keepShown(s, shown)); }, [shown]);
  const toggle = (id: number, on: boolean) => {
    setSelected((s) => { const next = new Set(s); if (on) next.add(id); else next.delete(id); return next; });
    setBulkOpen(true);
  };
  const numberOptions = numbers.length
    ? numbers.map((n) => ({ value: n.phone_number_id, label: numberLabel(n) }))
    : [...new Set(state.items.map((c) => c.business_number))].map((v) => ({ value: v, label: v }));
  const empty = emptyListText(filters);

  const open = (id: number, messageId?: number) =>
    navigate(`/conversations/${id}${filtersToQuery(filters)}${messageId ? `#msg-${messageId}` : ''}`);
  const back = useCallback(() => {
    const was = conversationId;
    navigate('/' + filtersToQuery(filters));
    // Back in the list, on the conversation just left.
    if (was !== null) window.setTimeout(() => focusItem(was), 0);
  }, [conversationId, filters]);

  // Keyboard: j / k move in the list, Enter opens, Escape goes back, r replies.
  const ids = shown.map((c) => c.id);
  const keys = useRef({ ids, conversationId, open, back });
  keys.current = { ids, conversationId, open, back };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action = shortcutFor({ key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey,
        defaultPrevented: e.defaultPrevented, target: e.target as HTMLElement | null });
      const k = keys.current;
      if (action === 'next' || action === 'previous') {
        const to = step(k.ids, focusedItem() ?? k.conversationId, action === 'next' ? 1 : -1);
        if (to !== null) { e.preventDefault(); focusItem(to); }
      } else if (action === 'open') {
        const id = focusedItem();
        if (id !== null) { e.preventDefault(); k.open(id); }
      } else if (action === 'back' && k.conversationId !== null) {
        e.preventDefault();
        k.back();
      } else if (action === 'reply' && k.conversationId !== null) {
        const box = document.querySelector<HTMLElement>('[data-reply-focus]');
        if (box) { e.preventDefault(); box.focus(); }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className={`inbox ${conversationId ? 'has-open' : ''}`}>
      <section className="list-pane" aria-label="Conversations">
        <div className="list-head">
          <h1>Inbox</h1>
          <span className="list-tools">
            <LiveBadge state={live} />
            {myAgentId !== null && <NotifyMenu settings={notify} onChange={setNotify} />}
            <button type="button" className="ghost icon key-hint" title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts"
              onClick={onShortcuts}>?</button>
          </span>
        </div>
        <div className="filters" role="search">
          <input type="search" placeholder="Search messages, names, numbers" aria-label="Search conversations"
            value={filters.search} onChange={(e) => setFilters({ search: e.target.value })} />
          <div className="filter-row">
            <select aria-label="Order" value={filters.sort} disabled={filters.search.trim() !== ''}
              title={filters.search.trim() ? 'Search results come best match first' : undefined}
              onChange={(e) => setFilters({ sort: e.target.value === 'waiting' ? 'waiting' : e.target.value === 'due' ? 'due' : 'newest' })}>
              <option value="newest">Newest</option>
              <option value="waiting">Longest waiting</option>
              <option value="due">SLA due first</option>
            </select>
            <select aria-label="Status" value={filters.status} onChange={(e) => setFilters({ status: e.target.value })}>
              <option value="">All statuses</option>
              {CONVERSATION_STATUSES.map((s) => <option key={s} value={s}>{statusLabel(s)}</option>)}
            </select>
            <select aria-label="Business number" value={filters.number} onChange={(e) => setFilters({ number: e.target.value })}>
              <option value="">All numbers</option>
              {numberOptions.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
            </select>
            {people.canList && (
              <select aria-label="Agent" value={filters.agent} disabled={filters.mine}
                onChange={(e) => setFilters({ agent: e.target.value, unassigned: false })}>
                <option value="">All agents</option>
                {people.agents.map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
              </select>
            )}
            {people.canList && (
              <select aria-label="Team" value={filters.team} onChange={(e) => setFilters({ team: e.target.value })}>
                <option value="">All teams</option>
                {people.teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            )}
            {labels.length > 0 && (
              <select aria-label="Label" value={filters.label} onChange={(e) => setFilters({ label: e.target.value })}>
                <option value="">All labels</option>
                {labels.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
              </select>
            )}
            {myAgentId !== null && (
              <label className="check"><input type="checkbox" checked={filters.mine} onChange={(e) => setFilters({ mine: e.target.checked, unassigned: false, agent: '' })} /> Mine</label>
            )}
            <label className="check"><input type="checkbox" checked={filters.unassigned} onChange={(e) => setFilters({ unassigned: e.target.checked, mine: false, agent: '' })} /> Unassigned</label>
            <label className="check"><input type="checkbox" checked={filters.snoozed} onChange={(e) => setFilters({ snoozed: e.target.checked })} /> Snoozed</label>
          </div>
          {myAgentId !== null && (
            <div className="default-view">
              <button type="button" className="link" onClick={saveView}>Save as my default view</button>
              {savedView && <button type="button" className="link" onClick={forgetView}>Forget my default</button>}
              {viewNote && <span className="muted small" role="status" data-testid="default-view-note">{viewNote}</span>}
            </div>
          )}
        </div>
        {bulkOpen && (
          <BulkBar api={api} selected={shown.filter((c) => selected.has(c.id))} people={people} labels={labels}
            onDone={(failed) => { setSelected(new Set(failed)); scheduleReload(); }}
            onClear={() => { setSelected(new Set()); setBulkOpen(false); }} />
        )}
        {state.error && (
          <div className="banner error" role="alert">{state.error} <button type="button" className="link" onClick={() => void load()}>Retry</button></div>
        )}
        {state.loading && state.items.length === 0 ? (
          <ul className="conv-list" aria-busy="true">{[0, 1, 2, 3].map((i) => <li key={i} className="skeleton" />)}</ul>
        ) : shown.length === 0 && !state.error ? (
          <div className="empty" data-testid="list-empty">
            <p className="empty-title">{empty.title}</p>
            <p>{empty.hint}</p>
            {isFiltered(filters) && <button type="button" className="ghost" onClick={() => setFilters(NO_FILTERS)}>Clear filters</button>}
          </div>
        ) : (
          <ul className="conv-list" data-testid="conversation-list">
            {shown.map((c) => (
              <li key={c.id} className={`selectable${selected.has(c.id) ? ' selected' : ''}`}>
                <input type="checkbox" className="select-conv" checked={selected.has(c.id)}
                  aria-label={`Select ${contactName(c.contact)}`} onChange={(e) => toggle(c.id, e.target.checked)} />
                <ListItem c={c} now={now} active={c.id === conversationId} numbers={numbers} people={people} onOpen={open} />
              </li>
            ))}
          </ul>
        )}
        {state.nextCursor && <button type="button" className="ghost more" onClick={() => void loadMore()}>Load more</button>}
      </section>
      <section className="detail-pane" aria-label="Conversation">
        {conversationId ? (
          <ConversationView key={conversationId} api={api} id={conversationId} refresh={detailTick} isAgent={myAgentId !== null} numbers={numbers} people={people}
            labels={labels} collision={collisionText(others, tick)} onBack={back} onReplied={scheduleReload} onLabelsChanged={loadLabels} />
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

/**
 * One conversation in the list: who, when, the last message (or, for a
 * search, the message that matched, which the row opens at), unread count
 * (bold with a badge), waiting time, status with the assignee, labels.
 */
function ListItem({ c, now, active, numbers, people, onOpen }: {
  c: Conversation; now: Date; active: boolean; numbers: NumberOut[]; people: People; onOpen: (id: number, messageId?: number) => void;
}) {
  const unread = c.unread_count ?? 0;
  const waiting = waitingText(c.waiting_since, now);
  const snoozed = snoozedText(c.snoozed_until, now);
  const sla = slaBadge(c.sla, now);
  const shownMessage = c.matched_message ?? c.last_message;
  const assignee = agentName(people.agents, c.assignee_id, people.me, c.assignee_name);
  return (
    <a href={`/conversations/${c.id}`} className={`conv-item${unread > 0 ? ' unread' : ''}`} aria-current={active ? 'true' : undefined} data-conv-id={c.id}
      onClick={(e) => { e.preventDefault(); onOpen(c.id, c.matched_message?.id); }}>
      <span className="avatar" aria-hidden="true">{contactInitials(c.contact)}</span>
      <span className="conv-main">
        <span className="conv-top">
          <span className="conv-name">{contactName(c.contact)}</span>
          <time dateTime={c.last_message_at}>{shortTime(c.last_message_at)}</time>
        </span>
        <span className="conv-preview">
          <span className="conv-text" data-testid={c.matched_message ? 'list-match' : 'list-preview'}>{previewText(shownMessage)}</span>
          {unread > 0 && <span className="unread-badge" data-testid="unread-badge" aria-label={`${unread} unread`}>{unread}</span>}
        </span>
        <span className="conv-sub">
          <span className="conv-phone">{[contactSubline(c.contact, { compact: true }), labelForNumber(numbers, c.business_number, { short: true }), c.team_name].filter(Boolean).join(' · ')}</span>
          {waiting && <span className="waiting" data-testid="list-waiting" title={`Since ${shortTime(c.waiting_since)}`}>{waiting}</span>}
          {sla && <span className={`sla-badge sla-${sla.tone}`} data-testid="list-sla" data-tone={sla.tone} title={sla.title}>{sla.text}</span>}
          {snoozed && <span className="snoozed-badge" data-testid="list-snoozed" title={snoozed}><ClockIcon /> {untilText(c.snoozed_until ?? '', now)}</span>}
          <StatusPill status={c.status} text={statusWithAssignee(statusLabel(c.status), c.status, assignee)} />
        </span>
        {c.labels.length > 0 && (
          <span className="chips" data-testid="list-labels">
            {c.labels.map((l) => <LabelChip key={l.id} name={l.name} color={l.color} />)}
          </span>
        )}
      </span>
    </a>
  );
}

/** A list row's status, with the assignee; the whole text on hover when it is cut short. */
function StatusPill({ status, text }: { status: string; text: string }) {
  return <span className={`status-pill s-${status}`} data-testid="list-status" title={text}>{text}</span>;
}

/** The conversation whose list item has the focus, if one has. */
function focusedItem(): number | null {
  const el = document.activeElement;
  const id = el instanceof HTMLElement ? el.closest<HTMLElement>('[data-conv-id]')?.dataset.convId : undefined;
  return id ? Number(id) : null;
}

/** Moves the focus to a conversation's list item (scrolled into view). */
function focusItem(id: number): void {
  const el = document.querySelector<HTMLElement>(`[data-conv-id="${id}"]`);
  el?.focus();
  el?.scrollIntoView({ block: 'nearest' });
}

function LiveBadge({ state }: { state: 'connecting' | 'live' | 'reconnecting' }) {
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting · polling';
  return <span className={`live-badge ${state}`} role="status" data-testid="live-state" data-state={state}>{text}</span>;
}
