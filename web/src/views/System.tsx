// Admins' overview: system info, stream and consumer statistics, delivery
// outcomes, business numbers (secrets shown only as set / not set) and the
// audit trail. Read-only: numbers are edited on the Numbers page.
import { useEffect, useState, type ReactNode } from 'react';
import { errorText, type Api, type AuditEntry, type NumberOut, type Stats, type SystemInfo } from '../api/client';
import { fullTime, shortTime } from '../lib/format';
import { numberLabel } from '../lib/numbers';

type Load<T> = { data: T | null; error: string | null };

function useLoad<T>(fetcher: () => Promise<{ data?: T; error?: unknown }>, deps: unknown[]): Load<T> & { reload: () => void } {
  const [state, setState] = useState<Load<T>>({ data: null, error: null });
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    fetcher().then(
      ({ data, error }) => live && setState(data !== undefined ? { data, error: null } : { data: null, error: errorText(error) }),
      (err) => live && setState({ data: null, error: errorText(err) }),
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, n]);
  return { ...state, reload: () => setN((x) => x + 1) };
}

export function System({ api }: { api: Api }) {
  const info = useLoad<SystemInfo>(() => api.GET('/api/v1/system/info'), [api]);
  const stats = useLoad<Stats>(() => api.GET('/api/v1/stats'), [api]);
  const numbers = useLoad<NumberOut[]>(() => api.GET('/api/v1/numbers'), [api]);
  const audit = useLoad<{ items: AuditEntry[] }>(() => api.GET('/api/v1/audit', { params: { query: { limit: 20 } } }), [api]);

  useEffect(() => {
    const t = window.setInterval(() => stats.reload(), 10_000);
    return () => window.clearInterval(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const rate = stats.data?.deliveries.success_rate;
  return (
    <div className="system">
      <h1>System</h1>
      <div className="cards">
        <Card title="Version">{info.data?.version ?? '…'}</Card>
        <Card title="Database">{info.data?.database_backend ?? '…'}</Card>
        <Card title="NATS">{info.data ? (info.data.nats_connected ? 'Connected' : 'Disconnected') : '…'}</Card>
        <Card title="Delivery success">{rate === undefined || rate === null ? '—' : `${(rate * 100).toFixed(1)} %`}</Card>
      </div>
      {info.error && <p className="error" role="alert">{info.error}</p>}

      <Section title="Streams" state={stats} empty={!stats.data?.streams.length}>
        <table><thead><tr><th>Stream</th><th className="num">Messages</th><th className="num">Bytes</th><th className="num">Consumers</th></tr></thead>
          <tbody>{stats.data?.streams.map((s) => <tr key={s.name}><td>{s.name}</td><td className="num">{s.messages}</td><td className="num">{s.bytes}</td><td className="num">{s.consumers}</td></tr>)}</tbody></table>
      </Section>
      <Section title="Consumers" state={stats} empty={!stats.data?.consumers.length}>
        <table><thead><tr><th>Stream</th><th>Consumer</th><th className="num">Pending</th><th className="num">Ack pending</th><th className="num">Redelivered</th></tr></thead>
          <tbody>{stats.data?.consumers.map((c) => <tr key={`${c.stream}/${c.name}`}><td>{c.stream}</td><td>{c.name}</td><td className="num">{c.pending}</td><td className="num">{c.ack_pending}</td><td className="num">{c.redelivered}</td></tr>)}</tbody></table>
      </Section>
      <Section title="Conversations and deliveries" state={stats} empty={false}>
        <div className="pills">
          {stats.data?.conversations.map((s) => <span key={`c-${s.status}`} className={`status-pill s-${s.status}`}>{s.status}: {s.count}</span>)}
          {stats.data?.deliveries.by_status.map((s) => <span key={`d-${s.status}`} className="status-pill">{s.status} replies: {s.count}</span>)}
        </div>
      </Section>
      <Section title="Business numbers" state={numbers} empty={!numbers.data?.length}>
        <table><thead><tr><th>Name</th><th>Number id</th><th>Provider</th><th>Secrets</th></tr></thead>
          <tbody>{numbers.data?.map((n) => (
            <tr key={n.id}><td>{numberLabel(n)}</td><td>{n.phone_number_id}</td><td>{n.provider}</td>
              <td>{[['app secret', n.has_app_secret], ['verify token', n.has_verify_token], ['access token', n.has_access_token]]
                .map(([k, v]) => `${k} ${v ? 'set' : 'not set'}`).join(' · ')}</td></tr>))}</tbody></table>
      </Section>
      <Section title="Audit trail (latest 20)" state={audit} empty={!audit.data?.items.length}>
        <table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Target</th></tr></thead>
          <tbody>{audit.data?.items.map((a) => (
            <tr key={a.id}><td title={fullTime(a.created_at)}>{shortTime(a.created_at)}</td><td>{a.actor}</td><td>{a.action}</td><td>{a.target_type} {a.target_id}</td></tr>))}</tbody></table>
      </Section>
    </div>
  );
}

function Card({ title, children }: { title: string; children: ReactNode }) {
  return <div className="card"><div className="card-title">{title}</div><div className="card-value">{children}</div></div>;
}

function Section({ title, state, empty, children }: { title: string; state: Load<unknown>; empty: boolean; children: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {state.error ? <p className="error" role="alert">{state.error}</p>
        : !state.data ? <p className="muted" aria-busy="true">Loading…</p>
        : empty ? <p className="muted">Nothing yet.</p>
        : <div className="table-wrap">{children}</div>}
    </section>
  );
}
