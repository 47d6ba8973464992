// Health (admins): live charts of ingest, ack latency, queue backlog per
// stream, delivery success and the DLQ, from `/api/v1/stats` polled every
// few seconds into a rolling window (rates are derived here, see
// lib/health); the backlog per partition; the alerts firing now.
import { useEffect, useMemo, useState } from 'react';
import { errorText, type Alert, type Api, type Stats, type SystemInfo } from '../api/client';
import { clockTime, fullTime, shortTime } from '../lib/format';
import {
  columns, keepWindow, millis, percent, perSecond, points, readingOf, STREAMS, summary, type Reading,
} from '../lib/health';
import { TimeChart } from './TimeChart';

/** How often the stats are read. */
export const POLL_MS = 3000;
/** How far back the charts reach. */
const WINDOW_MS = 5 * 60_000;
/** The span of the headline rates. */
const SPAN_MS = 30_000;

const COLORS = { INBOUND: '#0f766e', OUTBOUND: '#1d7fd6', DLQ: '#b42318' } as const;

type Alerts = { firing: Alert[]; pending: Alert[] };

export function Health({ api }: { api: Api }) {
  const [readings, setReadings] = useState<Reading[]>([]);
  const [latest, setLatest] = useState<Stats | null>(null);
  const [info, setInfo] = useState<SystemInfo | null>(null);
  const [alerts, setAlerts] = useState<Alerts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [alertsError, setAlertsError] = useState<string | null>(null);
  const [updated, setUpdated] = useState<Date | null>(null);

  useEffect(() => {
    let live = true;
    let timer = 0;
    const poll = async () => {
      const [stats, sys, al] = await Promise.allSettled([
        api.GET('/api/v1/stats'),
        api.GET('/api/v1/system/info'),
        api.GET('/api/v1/alerts', { params: { query: { limit: 1 } } }),
      ]);
      if (!live) return;
      if (stats.status === 'fulfilled' && stats.value.data) {
        const data = stats.value.data;
        const at = Date.now();
        setReadings((w) => keepWindow(w, readingOf(data, at), WINDOW_MS));
        setLatest(data);
        setUpdated(new Date(at));
        setError(null);
      } else {
        setError(errorText(stats.status === 'fulfilled' ? stats.value.error : stats.reason, 'Could not read the statistics'));
      }
      if (sys.status === 'fulfilled' && sys.value.data) setInfo(sys.value.data);
      if (al.status === 'fulfilled' && al.value.data) {
        setAlerts({ firing: al.value.data.firing, pending: al.value.data.pending });
        setAlertsError(null);
      } else {
        setAlertsError(errorText(al.status === 'fulfilled' ? al.value.error : al.reason, 'Could not read the alerts'));
      }
      timer = window.setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => { live = false; window.clearTimeout(timer); };
  }, [api]);

  const pts = useMemo(() => points(readings), [readings]);
  const now = useMemo(() => summary(readings, SPAN_MS), [readings]);
  const hasIngest = latest !== null && latest.ingest !== undefined;
  const charts = useMemo(() => ({
    ingest: columns(pts, [(p) => p.ingest]),
    ack: columns(pts, [(p) => p.ackMs]),
    lag: columns(pts, STREAMS.map((s) => (p) => p.lag[s])),
    success: columns(pts, [(p) => (p.success === null ? null : p.success * 100)]),
    dlq: columns(pts, [(p) => p.dlq]),
  }), [pts]);

  const measuring = `Measuring… the first interval needs two readings, ${POLL_MS / 1000} s apart.`;
  const noEdges = 'No edge counters: this admin server reads no edge /metrics (alerts.edge_metrics_urls).';
  const unreachable = latest?.ingest?.edges_unreachable ?? 0;

  return (
    <div className="system health">
      <div className="health-head">
        <h1>Health</h1>
        <p className="muted small" role="status" data-testid="health-status">
          {error ? 'Not updating' : updated ? <>Live · updated <time dateTime={updated.toISOString()}>{clockTime(updated, { seconds: true })}</time> · every {POLL_MS / 1000} s</> : 'Connecting…'}
          {info && <> · NATS {info.nats_connected ? 'connected' : 'disconnected'} · {info.database_backend}</>}
        </p>
      </div>
      {error && (
        <p className="banner error" role="alert">
          {error}. {latest ? 'The figures below are from the last successful reading; ' : ''}trying again every {POLL_MS / 1000} s.
        </p>
      )}
      {unreachable > 0 && <p className="warning">{unreachable} edge{unreachable === 1 ? '' : 's'} did not answer: ingest figures are partial.</p>}

      {latest === null ? (
        !error && <section className="panel" aria-busy="true"><p className="muted">Loading…</p></section>
      ) : (
        <>
          <div className="cards" data-testid="health-figures">
            <Figure title="Ingest" value={hasIngest ? perSecond(now.ingest) : '—'} testId="figure-ingest"
              sub={!hasIngest ? 'no edge counters' : now.acceptedInSpan === null ? 'measuring…' : `${now.acceptedInSpan} webhooks in ${SPAN_MS / 1000} s`} />
            <Figure title="Ack latency" value={millis(now.ackMs)} testId="figure-ack"
              sub={!hasIngest ? 'no edge counters' : now.ackMs === null ? 'nothing acked lately' : `mean, last ${SPAN_MS / 1000} s`} />
            <Figure title="Inbound backlog" value={String(now.lag?.INBOUND ?? '—')} sub="messages not yet routed" testId="figure-inbound" />
            <Figure title="Outbound backlog" value={String(now.lag?.OUTBOUND ?? '—')} sub="replies not yet sent" testId="figure-outbound" />
            <Figure title="Delivery success" value={percent(now.success)} testId="figure-success"
              sub={now.successScope === null ? 'no outcome yet' : now.successScope === 'recent' ? `last ${SPAN_MS / 1000} s` : 'all time'} />
            <Figure title="DLQ" value={String(now.dlq ?? '—')} sub="dead letters held" testId="figure-dlq" />
          </div>

          <div className="charts">
            <TimeChart span={WINDOW_MS / 1000} id="ingest" title="Ingest: webhooks accepted per second" lines={[{ label: 'accepted/s', color: COLORS.INBOUND }]}
              data={charts.ingest} format={(v) => v.toFixed(v < 10 ? 1 : 0)} max={1} empty={hasIngest ? measuring : noEdges} />
            <TimeChart span={WINDOW_MS / 1000} id="ack" title="Ack latency (ms, mean per interval)" lines={[{ label: 'ack ms', color: '#6941c6' }]}
              data={charts.ack} format={(v) => v.toFixed(v < 10 ? 1 : 0)} max={5} empty={hasIngest ? measuring : noEdges} sparse />
            <TimeChart span={WINDOW_MS / 1000} id="lag" title="Consumer lag per stream (messages pending)"
              lines={STREAMS.map((s) => ({ label: s, color: COLORS[s] }))} data={charts.lag} format={(v) => v.toFixed(0)} max={5} empty={measuring} />
            <TimeChart span={WINDOW_MS / 1000} id="success" title="Delivery success (% of outcomes per interval)" lines={[{ label: 'success %', color: '#067647' }]}
              data={charts.success} format={(v) => `${v.toFixed(0)}`} max={100} empty={measuring} sparse />
            <TimeChart span={WINDOW_MS / 1000} id="dlq" title="DLQ size (letters held)" lines={[{ label: 'DLQ', color: COLORS.DLQ }]}
              data={charts.dlq} format={(v) => v.toFixed(0)} max={5} empty={measuring} />
          </div>

          <Backlog stats={latest} />
        </>
      )}

      <AlertsPanel alerts={alerts} error={alertsError} />
    </div>
  );
}

function Figure({ title, value, sub, testId }: { title: string; value: string; sub: string; testId: string }) {
  return (
    <div className="card" data-testid={testId}>
      <div className="card-title">{title}</div>
      <div className="card-value">{value}</div>
      <div className="card-sub">{sub}</div>
    </div>
  );
}

/** Pending per consumer (a router partition, the sender), now. */
function Backlog({ stats }: { stats: Stats }) {
  const rows = stats.consumers.filter((c) => (STREAMS as readonly string[]).includes(c.stream));
  const top = Math.max(1, ...rows.map((c) => c.pending));
  return (
    <section className="panel" aria-label="Backlog per consumer">
      <h2>Backlog per consumer</h2>
      {rows.length === 0 ? <p className="muted">No consumers yet: the router and sender create theirs when they start.</p> : (
        <div className="table-wrap">
          <table>
            <thead><tr><th>Stream</th><th>Consumer</th><th className="num">Pending</th><th aria-hidden="true" /><th className="num">Ack pending</th><th className="num">Redelivered</th></tr></thead>
            <tbody>{rows.map((c) => (
              <tr key={`${c.stream}/${c.name}`}>
                <td>{c.stream}</td><td>{c.name}</td><td className="num">{c.pending}</td>
                <td aria-hidden="true" style={{ width: '30%' }}><span className="bar" style={{ width: `${(c.pending / top) * 100}%`, background: COLORS[c.stream as keyof typeof COLORS] }} /></td>
                <td className="num">{c.ack_pending}</td><td className="num">{c.redelivered}</td>
              </tr>))}</tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function AlertsPanel({ alerts, error }: { alerts: Alerts | null; error: string | null }) {
  const list = (items: Alert[], state: string) => items.map((a) => (
    <li key={`${state}/${a.rule}/${a.instance}`}>
      <span className={`status-pill sev-${a.severity}`}>{a.severity}</span>
      {state === 'pending' && <span className="status-pill">pending</span>}
      <span>{a.summary}</span>
      {(a.fired_at ?? a.active_since) && (
        <time className="muted small" dateTime={a.fired_at ?? a.active_since} title={fullTime(a.fired_at ?? a.active_since)}>
          since {shortTime(a.fired_at ?? a.active_since)}
        </time>)}
    </li>));
  return (
    <section className="panel" aria-label="Alerts" data-testid="health-alerts">
      <h2>Alerts</h2>
      {error && !alerts ? <p className="error" role="alert">{error}</p>
        : !alerts ? <p className="muted" aria-busy="true">Loading…</p>
        : alerts.firing.length + alerts.pending.length === 0 ? <p className="muted">Nothing firing. Alert rules are set in <code>[alerts]</code> of the configuration.</p>
        : <ul className="alert-list">{list(alerts.firing, 'firing')}{list(alerts.pending, 'pending')}</ul>}
    </section>
  );
}
