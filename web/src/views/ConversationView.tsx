// One conversation: header, timeline with delivery ticks, customer details
// and the reply box (free text inside the 24 h window, templates outside).
// Reactions sit on their message, edits and deletes mark it (lib/timeline).
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { components } from '../api/schema';
import { errorText, type Api, type ContactDetail, type ConversationDetail, type Label, type NumberOut } from '../api/client';
import { LabelChip } from './LabelChip';
import { labelForNumber } from '../lib/numbers';
import { replyWarning } from '../lib/accounts';
import { agentName, noteAuthor, statusWithAssignee, teamLabel, transferBody, type Named } from '../lib/people';
import { contactBsuid, contactInitials, contactName, contactPhone, contactSubline, username } from '../lib/contact';
import { duration, fullTime, shortTime, statusLabel, tick } from '../lib/format';
import { buildTimeline, coordinates, type BubbleItem, type Content, type Quote, type SystemItem } from '../lib/timeline';
import { replyWindow } from '../lib/window';
import { insertCanned, matchCanned, slashQuery, type Canned } from '../lib/canned';
import { csatText, csatTone } from '../lib/csat';
import { attachmentForm, attachmentProblem, fileSize, LOAD_ON_DEMAND_BYTES, mediaShow, thumbBox, type MediaOut } from '../lib/media';
import { saveAs } from '../lib/download';
import { TickSvg } from './icons';
import { ACTION_LABEL, availableActions, conflictMessage, type ConversationAction } from '../lib/actions';
import { interleave, isMarker, snoozeMarkers, type SnoozeMarker } from '../lib/snooze';
import { SnoozeMenu } from './SnoozeMenu';
import { TemplatePicker, type TemplateChoice } from './TemplatePicker';
import { useActivity } from '../lib/presence';

/** The agents and teams known to this session (empty for an agent, who may not list them), and who is signed in. */
export type People = { agents: Named[]; teams: Named[]; canList: boolean; me: Named | null };

export function ConversationView({ api, id, refresh, isAgent, numbers, people, labels, collision, onBack, onReplied, onLabelsChanged }: {
  api: Api; id: number; refresh: number; isAgent: boolean; numbers: NumberOut[]; people: People; labels: Label[];
  /** Other agents here ("Ana is typing…"), null when nobody is. */
  collision: string | null;
  onBack: () => void; onReplied: () => void; onLabelsChanged: () => void;
}) {
  // This agent's presence here, told to the others (ephemeral).
  const typing = useActivity(api, id, isAgent);
  const [detail, setDetail] = useState<ConversationDetail | null>(null);
  const [contact, setContact] = useState<ContactDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [now, setNow] = useState(() => new Date());
  const [acting, setActing] = useState<ConversationAction | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [showDetails, setShowDetails] = useState(false);
  const timeline = useRef<HTMLOListElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef(false);

  const load = useCallback(async () => {
    try {
      const { data, error, response } = await api.GET('/api/v1/conversations/{id}', { params: { path: { id } } });
      if (!data) throw new Error(response.status === 404 ? 'This conversation does not exist.' : errorText(error, 'Could not load the conversation'));
      setDetail(data);
      setError(null);
      const c = await api.GET('/api/v1/contacts/{id}', { params: { path: { id: data.conversation.contact.id } } });
      if (c.data) setContact(c.data);
    } catch (err) {
      setError(errorText(err, 'Could not load the conversation'));
    }
  }, [api, id]);

  useEffect(() => { void load(); }, [load, refresh]);
  useEffect(() => {
    const t = window.setInterval(() => setNow(new Date()), 30_000);
    return () => window.clearInterval(t);
  }, []);
  const count = detail?.messages.length ?? 0;
  const items = useMemo(() => buildTimeline(detail?.messages ?? []), [detail]);
  const lines = useMemo(
    () => interleave(items, (i) => i.message.provider_timestamp, snoozeMarkers(detail?.snoozes ?? [], new Date())),
    [items, detail],
  );
  // Opened from a search result (#msg-<id>): that message, marked, once;
  // otherwise the newest message.
  const jumped = useRef(false);
  useEffect(() => {
    const target = !jumped.current && /^#msg-\d+$/.test(window.location.hash)
      ? document.getElementById(window.location.hash.slice(1)) : null;
    if (target) {
      jumped.current = true;
      target.classList.add('found');
      target.scrollIntoView({ block: 'center' });
    } else if (!jumped.current) {
      timeline.current?.lastElementChild?.scrollIntoView({ block: 'end' });
    }
  }, [count]);
  // An agent who has the conversation open has read it: the read marker
  // moves to the newest message (and the list's unread badge goes).
  const newest = detail?.messages.reduce((max, m) => Math.max(max, m.id), 0) ?? 0;
  const marked = useRef(0);
  useEffect(() => {
    if (!isAgent || newest <= marked.current) return;
    marked.current = newest;
    api.POST('/api/v1/conversations/{id}/read', { params: { path: { id } }, body: { message_id: newest } })
      .then(({ data }) => { if (data) onReplied(); }, () => undefined);
  }, [api, id, isAgent, newest, onReplied]);
  // Opening a conversation moves the focus into it (once, not on live reloads),
  // unless the agent already went somewhere inside it.
  useEffect(() => {
    if (!detail || focused.current) return;
    focused.current = true;
    const root = heading.current?.closest('.conversation');
    if (!root?.contains(document.activeElement)) heading.current?.focus();
  }, [detail]);

  if (error && !detail) {
    return (
      <div className="conversation">
        <div className="conv-header"><button type="button" className="ghost back" onClick={onBack} aria-label="Back to inbox">←</button></div>
        <div className="empty center"><p className="error" role="alert">{error}</p>
          <button type="button" className="ghost" onClick={() => void load()}>Retry</button></div>
      </div>
    );
  }
  if (!detail) return <div className="conversation"><div className="empty center" aria-busy="true">Loading conversation…</div></div>;

  const c = detail.conversation;
  const win = replyWindow(c.last_inbound_at, now);
  const assignee = agentName(people.agents, c.assignee_id, people.me, c.assignee_name);
  const act = async (action: ConversationAction) => {
    setActing(action);
    setNotice(null);
    const options = { params: { path: { id } }, body: { version: c.version } };
    const res = await (action === 'claim'
      ? api.POST('/api/v1/conversations/{id}/claim', options)
      : action === 'resolve'
        ? api.POST('/api/v1/conversations/{id}/resolve', options)
        : api.POST('/api/v1/conversations/{id}/reopen', options)
    ).catch((err: unknown) => ({ data: undefined, error: { code: 'network', detail: errorText(err) }, response: null }));
    setActing(null);
    if (res.data) {
      setDetail({ ...detail, conversation: res.data });
      onReplied();
    } else if (res.response?.status === 409) {
      setNotice(conflictMessage(action));
      void load();
    } else {
      setNotice(errorText(res.error, `Could not ${ACTION_LABEL[action].toLowerCase()} the conversation`));
    }
  };
  return (
    <div className="conversation">
      <div className="conv-header">
        <button type="button" className="ghost back" onClick={onBack} aria-label="Back to inbox">←</button>
        <span className="avatar" aria-hidden="true">{contactInitials(c.contact)}</span>
        <div className="conv-title">
          <h2 ref={heading} tabIndex={-1}>{contactName(c.contact)}</h2>
          <span className="muted" data-testid="contact-ids">{[contactSubline(c.contact), `#${c.id}`].filter(Boolean).join(' · ')}</span>
        </div>
        <span className={`status-pill s-${c.status}`} data-testid="conversation-status">{statusWithAssignee(statusLabel(c.status), c.status, assignee)}</span>
        {c.csat && csatText(c.csat) && (
          <span className={`status-pill tone-${csatTone(c.csat)}`} data-testid="conversation-csat"
            title={c.csat.answered_at ? `Answered ${fullTime(c.csat.answered_at)}` : c.csat.expires_at ? `An answer counts until ${fullTime(c.csat.expires_at)}` : undefined}>
            {csatText(c.csat)}</span>
        )}
        <button type="button" className="ghost details-toggle" aria-expanded={showDetails} aria-controls="conversation-details"
          onClick={() => setShowDetails(!showDetails)}>{showDetails ? 'Messages' : 'Details'}</button>
        <SnoozeMenu api={api} conversation={c} now={now} onNotice={setNotice} onStale={() => void load()}
          onChanged={(next) => { setDetail({ ...detail, conversation: next }); onReplied(); }} />
        {availableActions(c.status, isAgent).map((a) => (
          <button key={a} type="button" className={a === 'claim' ? 'primary' : 'ghost'} disabled={acting !== null} onClick={() => void act(a)}>
            {acting === a ? `${ACTION_LABEL[a]}…` : ACTION_LABEL[a]}
          </button>
        ))}
      </div>
      {error && <div className="banner error" role="alert">{error}</div>}
      {notice && <div className="banner error" role="alert" data-testid="action-notice">{notice}</div>}
      {collision && <div className="collision" role="status" data-testid="collision">{collision}</div>}
      <div className={`conv-body${showDetails ? ' show-details' : ''}`}>
        <div className="timeline-col">
          <ol className="timeline" ref={timeline} aria-label="Messages" data-testid="timeline">
            {items.length === 0 && <li className="empty">No messages yet.</li>}
            {lines.map((item) => isMarker(item)
              ? <SnoozeLine key={item.key} marker={item} />
              : item.type === 'system'
              ? <SystemLine key={item.key} item={item} />
              : <Bubble key={item.key} item={item} api={api} isAdmin={!isAgent} onRetried={() => { void load(); onReplied(); }} />)}
          </ol>
          <ReplyBox api={api} id={id} number={c.business_number} onTyping={typing} windowOpen={win.open} warning={replyWarning(numbers.find((n) => n.phone_number_id === c.business_number))}
            windowText={win.open ? `24 h window open · closes in ${duration(win.remainingMs)}` :
              win.closedAt ? `24 h window closed ${shortTime(win.closedAt.toISOString(), now)} · send a template` : 'No customer message yet · send a template'}
            onSent={() => { void load(); onReplied(); }} />
        </div>
        <aside className="customer" id="conversation-details" aria-label="Customer details">
          <h3>Customer</h3>
          <dl data-testid="customer-identity">
            <CustomerIdentity who={{ ...c.contact, ...(contact ?? {}) }} />
            <dt>Tier</dt><dd>{contact?.tier ?? c.contact.tier}</dd>
            <dt>Language</dt><dd>{contact?.language || '—'}</dd>
            <dt>Business number</dt><dd data-testid="business-number" title={`Number id ${c.business_number}`}>{labelForNumber(numbers, c.business_number)}</dd>
            <dt>Since</dt><dd title={fullTime(contact?.created_at)}>{shortTime(contact?.created_at ?? c.created_at, now)}</dd>
            {contact?.marketing_opt_out_at && <><dt>Marketing</dt><dd title={fullTime(contact.marketing_opt_out_at)}>opted out {shortTime(contact.marketing_opt_out_at, now)}</dd></>}
          </dl>
          <Attributes value={contact?.attributes} />
          <Assignment api={api} conversation={c} people={people} assignee={assignee}
            onChanged={(next) => { setDetail({ ...detail, conversation: next }); onReplied(); }} onStale={() => void load()} />
          <Labels api={api} id={id} carried={c.labels} labels={labels}
            onChanged={(next) => { setDetail({ ...detail, conversation: { ...c, labels: next } }); onReplied(); onLabelsChanged(); }} />
          <Notes api={api} id={id} people={people} refresh={refresh} onTyping={typing} />
        </aside>
      </div>
    </div>
  );
}

/** Name, username, phone and BSUID (rows of the details list): the BSUID is how Meta names a user who hides the phone. */
function CustomerIdentity({ who }: { who: { wa_id: string; profile_name?: string; username?: string; phone?: string; user_id?: string; parent_user_id?: string } }) {
  const u = username(who);
  const p = contactPhone(who);
  const b = contactBsuid(who);
  return (
    <>
      <dt>Name</dt><dd>{who.profile_name || '—'}</dd>
      {u && <><dt>Username</dt><dd data-testid="customer-username">{u}</dd></>}
      <dt>Phone</dt><dd data-testid="customer-phone">{p ? <span className="phone">{p}</span> : <span className="muted">not shared</span>}</dd>
      {b && <><dt title="Business-scoped user id: how WhatsApp names this customer to this business">BSUID</dt><dd className="mono" data-testid="customer-bsuid">{b}</dd></>}
      {who.parent_user_id && <><dt>Parent BSUID</dt><dd className="mono">{who.parent_user_id}</dd></>}
    </>
  );
}

/** A snooze began or ended: a centered line like the provider's system messages. */
function SnoozeLine({ marker }: { marker: SnoozeMarker }) {
  return (
    <li className="system-line snooze-line" role="note" data-testid={`snooze-${marker.kind}`}>
      <span>{marker.text}</span>{' '}
      <time dateTime={marker.at} title={fullTime(marker.at)}>{shortTime(marker.at)}</time>
    </li>
  );
}

function SystemLine({ item }: { item: SystemItem }) {
  const m = item.message;
  return (
    <li className="system-line" role="note" data-testid={`message-${m.id}`} data-kind={m.kind}>
      <span>{item.text}</span>{' '}
      <time dateTime={m.provider_timestamp} title={`Provider time ${fullTime(m.provider_timestamp)}`}>{shortTime(m.provider_timestamp)}</time>
    </li>
  );
}

function Bubble({ item, api, isAdmin, onRetried }: { item: BubbleItem; api: Api; isAdmin: boolean; onRetried: () => void }) {
  const m = item.message;
  const out = m.direction === 'outbound';
  const t = tick(m.status);
  const deleted = item.deletedAt !== null;
  return (
    <li id={`msg-${m.id}`} className={`bubble ${out ? 'out' : 'in'}${deleted ? ' deleted' : ''}`} data-status={m.status}
      data-testid={`message-${m.id}`} data-kind={m.kind} data-provider-id={m.provider_message_id}>
      {item.fromPhoneApp && <div className="bubble-origin" data-testid="phone-app-mark">Sent from phone app</div>}
      {item.quote && <QuoteLine quote={item.quote} />}
      <div className="bubble-body">
        {m.media && !deleted && <MediaView api={api} id={m.id} kind={m.kind} media={m.media} isAdmin={isAdmin} />}
        <BubbleContent kind={m.kind} content={item.content} deleted={deleted} hasMedia={Boolean(m.media)} />
      </div>
      {item.reactions.length > 0 && (
        <ul className="reactions" aria-label="Reactions" data-testid="reactions">
          {item.reactions.map((r) => (
            <li key={r.by} title={`${r.by === 'customer' ? 'The customer' : 'The business'} reacted ${r.emoji} · ${fullTime(r.at)}`}
              aria-label={`${r.by === 'customer' ? 'Customer' : 'Business'} reaction ${r.emoji}`}>{r.emoji}</li>
          ))}
        </ul>
      )}
      <div className="bubble-meta">
        {out && m.agent_name && <span className="bubble-agent" data-testid="bubble-agent" title={`Sent by ${m.agent_name}`}>{m.agent_name}</span>}
        {deleted && <span className="mark deleted-mark" data-testid="deleted-mark" title={`Deleted ${fullTime(item.deletedAt ?? undefined)}`}>deleted</span>}
        {item.editedAt && <span className="mark" data-testid="edited-mark" title={`Edited ${fullTime(item.editedAt)}`}>edited</span>}
        <time dateTime={m.provider_timestamp} title={`Provider time ${fullTime(m.provider_timestamp)}`}>{shortTime(m.provider_timestamp)}</time>
        {out && <span className={`tick ${t.tone}`} title={t.label} role="img" aria-label={t.label} data-testid="tick"><TickSvg icon={t.icon} /></span>}
      </div>
      {m.status === 'failed' && (
        <div className="bubble-error" role="note">
          Not delivered: {m.error || 'the provider gave no reason'}
          {out && <RetryButton api={api} id={m.id} onRetried={onRetried} />}
        </div>
      )}
    </li>
  );
}

/** A media message's file: inline image (click to enlarge), audio and
 * video players, or a download card; a placeholder while it is fetched and
 * a clear state when it could not be or is no longer stored. */
function MediaView({ api, id, kind, media, isAdmin }: { api: Api; id: number; kind: string; media: MediaOut; isAdmin: boolean }) {
  const show = mediaShow(kind, media);
  const large = (media.size ?? 0) > LOAD_ON_DEMAND_BYTES;
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Images, audio and small videos load as soon as they are stored (a
  // pending file becomes stored with a live event); the rest on request.
  const auto = show.type === 'image' || show.type === 'audio' || (show.type === 'video' && !large);
  const [asked, setWanted] = useState(false);
  const wanted = asked || auto;
  const [zoom, setZoom] = useState(false);
  const name = media.filename || `${kind} ${id}`;
  useEffect(() => {
    if (!wanted || media.state !== 'stored') return undefined;
    let gone = false;
    let made: string | null = null;
    void api.GET('/api/v1/messages/{id}/media', { params: { path: { id } }, parseAs: 'blob' })
      .then(({ data, response }) => {
        if (gone) return;
        if (!(data instanceof Blob)) { setError(`The file could not be loaded (${response.status}).`); return; }
        made = URL.createObjectURL(data);
        setUrl(made);
        if (show.type === 'file') saveAs(made, name);
      })
      .catch(() => { if (!gone) setError('The file could not be loaded.'); });
    return () => { gone = true; if (made) URL.revokeObjectURL(made); };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- loads once per file
  }, [api, id, wanted, media.state]);

  if (show.type === 'pending') return <div className="media-state" data-testid="media-pending" aria-busy="true">Fetching the {kind} from the provider…</div>;
  if (show.type === 'failed') {
    return (
      <div className="media-state error" data-testid="media-failed" role="note">
        The {kind} could not be fetched from the provider.{' '}
        {isAdmin ? <a href="/dlq?reason=media">Retry it from the dead-letter queue</a> : 'An admin can retry it from the dead-letter queue.'}
      </div>
    );
  }
  if (show.type === 'expired') return <div className="media-state muted" data-testid="media-expired">The {kind} is no longer stored (older than the retention period).</div>;
  if (error) return <div className="media-state error" role="note">{error}</div>;
  const box = thumbBox(media.width, media.height);
  const hint = [media.mime_type, fileSize(media.size), box ? `${media.width}×${media.height}` : null].filter(Boolean).join(' · ');
  if (show.type === 'image') {
    return url ? (
      <>
        <button type="button" className="media-thumb" onClick={() => setZoom(true)} aria-label={`Enlarge the ${kind}`}>
          <img src={url} alt={`${kind} from the customer`} data-testid="media-image" width={box?.width} height={box?.height} />
        </button>
        {zoom && (
          <div className="media-zoom" role="dialog" aria-label={`The ${kind}, enlarged`} onClick={() => setZoom(false)}
            onKeyDown={(e) => { if (e.key === 'Escape') setZoom(false); }}>
            <img src={url} alt={`${kind} from the customer, enlarged`} />
            <button type="button" className="ghost" autoFocus onClick={() => setZoom(false)}>Close</button>
          </div>
        )}
      </>
    ) : (
      <div className={box ? 'media-state media-placeholder' : 'media-state'} aria-busy="true" data-testid="media-loading"
        style={box ? { width: box.width, height: box.height } : undefined}>
        Loading the {kind}… <span className="muted small">{hint}</span>
      </div>
    );
  }
  if ((show.type === 'audio' || show.type === 'video') && url) {
    return show.type === 'audio'
      ? <audio controls src={url} data-testid="media-audio" aria-label={`${kind} message`} />
      : <video controls src={url} data-testid="media-video" aria-label="video message" className="media-video" />;
  }
  return (
    <div className="media-file" data-testid="media-file">
      <span className="media-file-name">{name}</span>
      <span className="muted small">{hint}</span>
      {url && show.type === 'file'
        ? <button type="button" className="link" onClick={() => saveAs(url, name)}>Save again</button>
        : <button type="button" className="link" disabled={wanted} onClick={() => setWanted(true)}>
          {wanted ? 'Loading…' : show.type === 'file' ? 'Download' : `Load the ${kind}`}</button>}
    </div>
  );
}

/** Sends a failed reply again as a new reply (the original stays failed;
 * its dead letter is discarded by the API). A refusal is shown beside it. */
function RetryButton({ api, id, onRetried }: { api: Api; id: number; onRetried: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const retry = async () => {
    setBusy(true);
    setError(null);
    const { data, error: refused } = await api.POST('/api/v1/messages/{id}/retry', { params: { path: { id } } })
      .catch((err: unknown) => ({ data: undefined, error: { code: 'network', detail: errorText(err) } }));
    setBusy(false);
    if (data) onRetried(); else setError(errorText(refused, 'The reply was not retried'));
  };
  return (
    <>
      {' '}<button type="button" className="link" disabled={busy} onClick={() => void retry()} data-testid="retry-reply">{busy ? 'Retrying…' : 'Retry'}</button>
      {error && <span className="small" role="alert"> {error}</span>}
    </>
  );
}

function BubbleContent({ kind, content, deleted, hasMedia = false }: { kind: string; content: Content; deleted: boolean; hasMedia?: boolean }) {
  switch (content.type) {
    case 'location': {
      const l = content.location;
      return (
        <div className="location" data-testid="location">
          <span className="kind">location</span>
          {l.name && <strong>{l.name}</strong>}
          {l.address && <div className="small">{l.address}</div>}
          <div className="mono small" data-testid="coordinates">{coordinates(l.latitude, l.longitude)}</div>
          <div className="row small">
            <a href={l.mapUrl} target="_blank" rel="noopener noreferrer" data-testid="map-link">Open in OpenStreetMap</a>
            {l.url && <a href={l.url} target="_blank" rel="noopener noreferrer nofollow">Website</a>}
          </div>
        </div>
      );
    }
    case 'unsupported':
      return (
        <div className="unsupported" data-testid="unsupported">
          <span>{content.text}</span>
          {content.error && <div className="small muted">{content.error}</div>}
        </div>
      );
    case 'contacts':
      return (
        <div className="contacts">
          <span className="kind">contact card</span>
          <ul>{content.cards.map((c, i) => <li key={i}><strong>{c.name}</strong>{c.phones.length > 0 && ` · ${c.phones.join(', ')}`}</li>)}</ul>
        </div>
      );
    case 'text': {
      // A file shown above needs no "(image)" stand-in; its caption stays.
      if (hasMedia && !content.text && !deleted) return null;
      const body = content.text ?? <em className="muted">({kind})</em>;
      return (
        <>
          {kind !== 'text' && !hasMedia && <span className="kind">{kind}</span>}
          {deleted ? <span className="deleted-text">{body}</span> : body}
        </>
      );
    }
  }
}

function QuoteLine({ quote }: { quote: Quote }) {
  if (!quote.found) return <div className="quote muted" data-testid="quote">Reply to an earlier message</div>;
  const target = quote.message;
  const show = () => {
    const el = document.getElementById(`msg-${target.id}`);
    el?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    el?.classList.add('flash');
    window.setTimeout(() => el?.classList.remove('flash'), 1200);
  };
  return (
    <button type="button" className="quote" data-testid="quote" onClick={show}
      title="Show the quoted message">
      <span className="quote-who">{target.direction === 'outbound' ? 'You' : 'Customer'}</span>
      <span className="quote-text">{quote.text}</span>
    </button>
  );
}

function Attributes({ value }: { value: unknown }) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return <p className="muted small">No attributes.</p>;
  return (
    <>
      <h4>Attributes</h4>
      <dl>{entries.map(([k, v]) => <Fragmentish key={k} k={k} v={typeof v === 'string' ? v : JSON.stringify(v)} />)}</dl>
    </>
  );
}

function Fragmentish({ k, v }: { k: string; v: string }) {
  return <><dt>{k}</dt><dd>{v}</dd></>;
}

function ReplyBox({ api, id, number, onTyping, windowOpen, windowText, warning, onSent }: {
  api: Api; id: number; number: string; onTyping: () => void; windowOpen: boolean; windowText: string; warning: string | null; onSent: () => void;
}) {
  const [useTemplate, setUseTemplate] = useState(!windowOpen);
  const [text, setText] = useState('');
  const [tpl, setTpl] = useState<TemplateChoice | null>(null);
  // Bumped when the server refuses a template: the catalog is read again.
  const [catalogTick, setCatalogTick] = useState(0);
  // Bumped when a template went out: the picker starts afresh.
  const [sentTemplates, setSentTemplates] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [dragging, setDragging] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  useEffect(() => { if (!windowOpen) setUseTemplate(true); }, [windowOpen]);
  const canned = useCannedPicker(api, id, text, setText);

  /** Takes a file to send (the text becomes its caption). */
  const attach = (chosen: File | undefined) => {
    if (!chosen) return;
    setError(null);
    setUseTemplate(false);
    setFile(chosen);
  };
  const sendFile = async (chosen: File) => {
    const problem = attachmentProblem(chosen, text);
    if (problem) { setError(problem); return; }
    setBusy(true);
    setError(null);
    const { data, error } = await api.POST('/api/v1/conversations/{id}/attachments', {
      params: { path: { id }, query: {} },
      // The browser sets the multipart boundary.
      body: attachmentForm(chosen, chosen.name, text) as unknown as { file: string; caption?: string },
    }).catch((err: unknown) => ({ data: undefined, error: { code: 'network', detail: errorText(err) } }));
    setBusy(false);
    if (data) {
      setText('');
      setFile(null);
      onSent();
    } else {
      setError(errorText(error, 'The file was not sent'));
    }
  };

  const send = async (e?: FormEvent) => {
    e?.preventDefault();
    if (busy) return;
    if (file && !useTemplate) { await sendFile(file); return; }
    const body = useTemplate ? (tpl ? { template: tpl } : null) : text.trim() ? { text: text.trim() } : null;
    if (!body) return;
    setBusy(true);
    setError(null);
    const { data, error } = await api.POST('/api/v1/conversations/{id}/reply', { params: { path: { id } }, body })
      .catch((err: unknown) => ({ data: undefined, error: { code: 'network', detail: errorText(err) } }));
    setBusy(false);
    if (data) {
      setText('');
      if (useTemplate) setSentTemplates((n) => n + 1);
      onSent();
    } else if (error && 'code' in error && error.code === 'window_closed') {
      setUseTemplate(true);
      setError('The 24 h window has closed: only a template can be sent now.');
    } else {
      // A 422 on a template (unknown, no longer approved) is the server's word; the catalog may have moved.
      if (useTemplate && error && 'code' in error && String(error.code).startsWith('template_')) setCatalogTick((t) => t + 1);
      setError(errorText(error, 'The reply was not sent'));
    }
  };
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (canned.onKey(e)) return;
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void send();
  };

  return (
    <form className={`reply${dragging ? ' dragging' : ''}`} onSubmit={send} aria-label="Reply"
      onDragOver={(e) => { if (windowOpen && e.dataTransfer.types.includes('Files')) { e.preventDefault(); setDragging(true); } }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => { if (!windowOpen) return; e.preventDefault(); setDragging(false); attach(e.dataTransfer.files[0]); }}>
      {warning && <p className="reply-warning" role="alert" data-testid="number-warning">{warning}</p>}
      <div className="reply-head">
        <span className={`window ${windowOpen ? 'open' : 'closed'}`} data-testid="window-state">{windowText}</span>
        {windowOpen && (
          <button type="button" className="link" onClick={() => setUseTemplate(!useTemplate)}>
            {useTemplate ? 'Write a message' : 'Use a template'}
          </button>
        )}
      </div>
      {useTemplate ? (
        <TemplatePicker key={sentTemplates} api={api} number={number} reload={catalogTick} onChange={setTpl} />
      ) : (
        <div className="reply-text">
          {file && (
            <div className="attachment-chip" data-testid="attachment-chip">
              <span className="mono">{file.name}</span> <span className="muted small">{fileSize(file.size)}</span>
              <button type="button" className="link" aria-label={`Remove ${file.name}`} onClick={() => setFile(null)}>Remove</button>
            </div>
          )}
          <textarea ref={canned.ref} aria-label={file ? 'Caption' : 'Write a reply'}
            placeholder={file ? 'Add a caption (optional)… Ctrl+Enter to send' : 'Type a reply… (/ for canned responses, Ctrl+Enter to send)'}
            rows={3} maxLength={4096} data-reply-focus
            value={text} onChange={(e) => { setText(e.target.value); canned.onEdit(e.target); onTyping(); }} onKeyDown={onKey}
            onClick={(e) => canned.onEdit(e.currentTarget)}
            aria-autocomplete="list" aria-controls={canned.open ? 'canned-list' : undefined}
            aria-activedescendant={canned.open && canned.matches.length ? `canned-${canned.matches[canned.active]?.id}` : undefined} />
          {canned.open && (
            <ul className="canned-list" id="canned-list" role="listbox" aria-label="Canned responses">
              {canned.matches.length === 0 ? (
                <li className="muted" role="option" aria-disabled="true" aria-selected="false">{canned.loaded ? 'No canned response matches' : 'Loading…'}</li>
              ) : canned.matches.map((c, i) => (
                <li key={c.id} id={`canned-${c.id}`} role="option" aria-selected={i === canned.active}
                  className={i === canned.active ? 'active' : undefined}
                  onMouseDown={(e) => { e.preventDefault(); canned.choose(c); }}>
                  <span className="mono">/{c.shortcut}</span> <strong>{c.title}</strong>
                  <span className="muted small canned-preview">{c.rendered ?? c.body}</span>
                </li>))}
            </ul>
          )}
        </div>
      )}
      {canned.missing.length > 0 && !useTemplate && (
        <p className="muted small" data-testid="canned-missing">Fill in by hand: {canned.missing.map((m) => `{{${m}}}`).join(', ')}</p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <div className="reply-actions">
        {windowOpen && !useTemplate && (
          <>
            <input ref={picker} type="file" hidden data-testid="attach-input" onChange={(e) => { attach(e.target.files?.[0]); e.target.value = ''; }} />
            <button type="button" className="link" onClick={() => picker.current?.click()} disabled={busy}
              title="Attach a file (or drop one here)">Attach a file</button>
          </>
        )}
        <button type="submit" className="primary" disabled={busy || (useTemplate && !tpl)}
          title={useTemplate && !tpl ? 'Choose a template and fill every parameter' : undefined}>
          {busy ? (file ? `Uploading ${fileSize(file.size)}…` : 'Sending…') : useTemplate ? 'Send template' : file ? 'Send file' : 'Send'}
        </button>
      </div>
    </form>
  );
}

/** The `/shortcut` picker of the reply box: loads the caller's canned
 * responses filled for conversation `id` on the first `/`, narrows them as
 * the agent types, inserts the chosen one (arrows + Enter/Tab or a click;
 * Escape closes) and names the placeholders it could not fill. */
function useCannedPicker(api: Api, id: number, text: string, setText: (t: string) => void) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [list, setList] = useState<Canned[] | null>(null);
  const [slash, setSlash] = useState<{ start: number; query: string; caret: number } | null>(null);
  const [active, setActive] = useState(0);
  const [missing, setMissing] = useState<string[]>([]);
  const [dismissed, setDismissed] = useState(false);
  useEffect(() => { setList(null); setSlash(null); setMissing([]); }, [id]);
  useEffect(() => { if (!text) setMissing([]); }, [text]);

  const load = useCallback(async () => {
    const { data } = await api.GET('/api/v1/canned-responses', { params: { query: { conversation_id: id } } })
      .catch(() => ({ data: undefined }));
    setList(data ?? []);
  }, [api, id]);

  const onEdit = (el: HTMLTextAreaElement) => {
    const found = slashQuery(el.value, el.selectionStart ?? el.value.length);
    setSlash(found ? { ...found, caret: el.selectionStart ?? el.value.length } : null);
    setActive(0);
    setDismissed(false);
    if (found && list === null) void load();
  };
  const matches = useMemo(() => (slash ? matchCanned(list ?? [], slash.query).slice(0, 8) : []), [list, slash]);
  const open = slash !== null && !dismissed;

  const choose = (c: Canned) => {
    if (!slash) return;
    const next = insertCanned(text, slash.start, slash.caret, c.rendered ?? c.body);
    setText(next.text);
    setMissing(c.missing);
    setSlash(null);
    requestAnimationFrame(() => {
      ref.current?.focus();
      ref.current?.setSelectionRange(next.caret, next.caret);
    });
  };
  /** Handles the key when the picker is open; true when it did. */
  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    if (e.key === 'Escape') { setDismissed(true); e.preventDefault(); e.stopPropagation(); return true; }
    if (matches.length === 0) return false;
    if (e.key === 'ArrowDown') { setActive((a) => (a + 1) % matches.length); e.preventDefault(); return true; }
    if (e.key === 'ArrowUp') { setActive((a) => (a + matches.length - 1) % matches.length); e.preventDefault(); return true; }
    if ((e.key === 'Enter' && !e.ctrlKey && !e.metaKey) || e.key === 'Tab') {
      e.preventDefault();
      choose(matches[Math.min(active, matches.length - 1)]);
      return true;
    }
    return false;
  };
  return { ref, open, matches, active, loaded: list !== null, missing, choose, onKey, onEdit };
}

type ConversationOut = ConversationDetail['conversation'];
type Note = components['schemas']['NoteOut'];

/** Who has the conversation, and a transfer to another agent or a team's queue. */
function Assignment({ api, conversation: c, people, assignee, onChanged, onStale }: {
  api: Api; conversation: ConversationOut; people: People; assignee: string | null;
  onChanged: (c: ConversationOut) => void; onStale: () => void;
}) {
  const [agentId, setAgentId] = useState('');
  const [teamId, setTeamId] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const team = teamLabel(people.teams, c.team_id, c.team_name);

  const transfer = async (e: FormEvent | null, target = { agentId, teamId }) => {
    e?.preventDefault();
    const body = transferBody(c.version, target.agentId, target.teamId);
    if (!body || busy) return;
    setBusy(true);
    setNotice(null);
    const res = await api.POST('/api/v1/conversations/{id}/transfer', { params: { path: { id: c.id } }, body })
      .catch((err: unknown) => ({ data: undefined, error: { code: 'network', detail: errorText(err) }, response: null }));
    setBusy(false);
    if (res.data) {
      const to = body.agent_id !== undefined ? agentName(people.agents, body.agent_id, people.me) : `the ${teamLabel(people.teams, res.data.team_id) ?? 'team'} queue`;
      setNotice({ ok: true, text: `Transferred to ${to}.` });
      setAgentId('');
      setTeamId('');
      onChanged(res.data);
    } else if (res.response?.status === 409) {
      setNotice({ ok: false, text: 'This conversation changed before your transfer. It has been reloaded; check it and try again.' });
      onStale();
    } else {
      setNotice({ ok: false, text: errorText(res.error, 'The conversation was not transferred') });
    }
  };

  return (
    <section className="side-section" aria-labelledby="assignment-title" data-testid="assignment">
      <h4 id="assignment-title">Assignment</h4>
      <dl>
        <dt>Assignee</dt><dd data-testid="assignee">{assignee ?? <span className="muted">nobody</span>}</dd>
        <dt>Team</dt><dd data-testid="team">{team ?? <span className="muted">none</span>}</dd>
      </dl>
      {/* Back to the team's queue needs no list: anyone can hand a conversation back. */}
      {c.status !== 'resolved' && c.assignee_id !== undefined && c.team_id !== undefined && (
        <button type="button" className="ghost return" disabled={busy} onClick={() => void transfer(null, { agentId: '', teamId: String(c.team_id) })}>
          Return to the {team} queue
        </button>
      )}
      {c.status === 'resolved' ? <p className="muted small">Reopen the conversation to transfer it.</p>
        : !people.canList ? <p className="muted small">Transferring to someone else needs the lists of agents and teams, which supervisors and admins can read.</p>
        : (
          <form className="side-form" onSubmit={transfer} aria-label="Transfer">
            <label>Transfer to agent
              <select aria-label="Transfer to agent" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
                <option value="">— nobody: the team's queue —</option>
                {people.agents.filter((a) => a.id !== c.assignee_id).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
              </select>
            </label>
            <label>Team
              <select aria-label="Transfer to team" value={teamId} onChange={(e) => setTeamId(e.target.value)}>
                <option value="">{team ? `Keep ${team}` : 'No team'}</option>
                {people.teams.filter((t) => t.id !== c.team_id).map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
              </select>
            </label>
            <button type="submit" className="ghost" disabled={busy || (!agentId && !teamId)}>{busy ? 'Transferring…' : 'Transfer'}</button>
          </form>
        )}
      {notice && <p className={notice.ok ? 'small ok' : 'small error'} role={notice.ok ? 'status' : 'alert'} data-testid="transfer-notice">{notice.text}</p>}
    </section>
  );
}

/** Internal notes: seen by the team only, never sent to the customer. Oldest first; live (a `note` event reloads them). */
/** The conversation's labels: chips to remove, a list to add from. */
function Labels({ api, id, carried, labels, onChanged }: {
  api: Api; id: number; carried: Label[]; labels: Label[]; onChanged: (labels: Label[]) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const addable = labels.filter((l) => !carried.some((c) => c.id === l.id));
  const done = (res: { data?: Label[]; error?: unknown }, what: string) => {
    setBusy(false);
    if (res.data) { setError(null); onChanged(res.data); } else setError(errorText(res.error, what));
  };
  const add = async (labelId: number) => {
    setBusy(true);
    done(await api.POST('/api/v1/conversations/{id}/labels', { params: { path: { id } }, body: { label_id: labelId } })
      .catch((err: unknown) => ({ data: undefined, error: err })), 'The label was not added');
  };
  const remove = async (labelId: number) => {
    setBusy(true);
    done(await api.DELETE('/api/v1/conversations/{id}/labels/{label_id}', { params: { path: { id, label_id: labelId } } })
      .catch((err: unknown) => ({ data: undefined, error: err })), 'The label was not removed');
  };
  return (
    <section className="side-section" aria-labelledby="labels-title" data-testid="labels">
      <h4 id="labels-title">Labels</h4>
      {carried.length === 0 ? <p className="muted small">No labels.</p> : (
        <ul className="chips">
          {carried.map((l) => (
            <li key={l.id}><LabelChip name={l.name} color={l.color} />
              <button type="button" className="ghost icon" disabled={busy} aria-label={`Remove label ${l.name}`} onClick={() => void remove(l.id)}>×</button></li>
          ))}
        </ul>
      )}
      {addable.length > 0 && (
        <select aria-label="Add a label" value="" disabled={busy} onChange={(e) => { if (e.target.value) void add(Number(e.target.value)); }}>
          <option value="">Add a label…</option>
          {addable.map((l) => <option key={l.id} value={l.id}>{l.name}</option>)}
        </select>
      )}
      {labels.length === 0 && <p className="muted small">Supervisors create labels on the Labels page.</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

function Notes({ api, id, people, refresh, onTyping }: { api: Api; id: number; people: People; refresh: number; onTyping: () => void }) {
  const [notes, setNotes] = useState<Note[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    const { data, error } = await api.GET('/api/v1/conversations/{id}/notes', { params: { path: { id } } })
      .catch((err: unknown) => ({ data: undefined, error: { detail: errorText(err) } }));
    if (data) { setNotes(data); setError(null); } else setError(errorText(error, 'Could not load the notes'));
  }, [api, id]);
  useEffect(() => { void load(); }, [load, refresh]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || busy) return;
    setBusy(true);
    const res = await api.POST('/api/v1/conversations/{id}/notes', { params: { path: { id } }, body: { body } })
      .catch((err: unknown) => ({ data: undefined, error: { detail: errorText(err) } }));
    setBusy(false);
    if (res.data) {
      setText('');
      setError(null);
      void load();
    } else {
      setError(errorText(res.error, 'The note was not saved'));
    }
  };

  return (
    <section className="side-section" aria-labelledby="notes-title" data-testid="notes">
      <h4 id="notes-title">Internal notes</h4>
      {notes === null && !error ? <p className="muted small" aria-busy="true">Loading…</p>
        : notes && notes.length === 0 ? <p className="muted small">No notes yet. Notes are for the team; the customer never sees them.</p>
        : notes && (
          <ol className="notes">
            {notes.map((n) => (
              <li key={n.id} className="note" data-testid={`note-${n.id}`}>
                <div className="note-meta"><strong>{noteAuthor(people.agents, n, people.me)}</strong>{' '}
                  <time dateTime={n.created_at} title={fullTime(n.created_at)}>{shortTime(n.created_at)}</time></div>
                <div className="note-body">{n.body}</div>
              </li>
            ))}
          </ol>
        )}
      {error && <p className="small error" role="alert">{error}</p>}
      <form className="side-form" onSubmit={add} aria-label="Add a note">
        <textarea aria-label="Internal note" placeholder="A note for the team…" rows={2} value={text} onChange={(e) => { setText(e.target.value); onTyping(); }}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void add(e); }} />
        <button type="submit" className="ghost" disabled={busy || !text.trim()}>{busy ? 'Saving…' : 'Add note'}</button>
      </form>
    </section>
  );
}
