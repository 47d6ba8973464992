// The health page's arithmetic: readings of `/api/v1/stats` kept in a
// rolling window, and what is derived from them client side — rates from
// cumulative counters (surviving a counter reset), ack latency from a
// histogram's sum and count, queue depths per stream, the delivery success
// share of an interval. Pure functions; the page only polls and draws.
import type { Stats } from '../api/client';

/** The hub streams, in the order they are drawn. */
export const STREAMS = ['INBOUND', 'OUTBOUND', 'DLQ'] as const;
export type StreamName = (typeof STREAMS)[number];

/** Outbound statuses that count as delivered (as the API's success rate). */
const SUCCEEDED = ['sent', 'delivered', 'read', 'played'];

/** One poll's reading, reduced to what the charts need. */
export type Reading = {
  /** When it was taken (ms since the epoch). */
  at: number;
  /** The edges' cumulative counters; null when the server has none. */
  accepted: number | null;
  ackSum: number | null;
  ackCount: number | null;
  /** Undelivered messages (consumer lag) per stream, summed over its consumers. */
  lag: Record<StreamName, number>;
  /** Messages held per stream. */
  depth: Record<StreamName, number>;
  /** Outbound replies that succeeded / failed so far. */
  succeeded: number;
  failed: number;
  /** The API's all-time success share (null before any outcome). */
  successRate: number | null;
};

export function readingOf(stats: Stats, at: number): Reading {
  const lag = { INBOUND: 0, OUTBOUND: 0, DLQ: 0 };
  const depth = { INBOUND: 0, OUTBOUND: 0, DLQ: 0 };
  for (const c of stats.consumers) if (isStream(c.stream)) lag[c.stream] += c.pending;
  for (const s of stats.streams) if (isStream(s.name)) depth[s.name] = s.messages;
  const count = (wanted: (s: string) => boolean) =>
    stats.deliveries.by_status.filter((s) => wanted(s.status)).reduce((n, s) => n + s.count, 0);
  return {
    at,
    accepted: stats.ingest?.webhooks_accepted ?? null,
    ackSum: stats.ingest?.ack_seconds_sum ?? null,
    ackCount: stats.ingest?.ack_seconds_count ?? null,
    lag,
    depth,
    succeeded: count((s) => SUCCEEDED.includes(s)),
    failed: count((s) => s === 'failed'),
    successRate: stats.deliveries.success_rate ?? null,
  };
}

function isStream(name: string): name is StreamName {
  return (STREAMS as readonly string[]).includes(name);
}

/** Appends `r` and drops readings older than `spanMs` before it (keeping order). */
export function keepWindow(readings: Reading[], r: Reading, spanMs: number): Reading[] {
  const kept = readings.filter((x) => x.at < r.at && r.at - x.at <= spanMs);
  return [...kept, r];
}

/**
 * Growth of a cumulative counter from `before` to `after`. A counter that
 * went down was reset (a restarted edge): its new value is the growth.
 */
export function growth(before: number, after: number): number {
  return after >= before ? after - before : after;
}

/** Per-second rate of a counter between two readings; null when unknown. */
export function rate(before: number | null, after: number | null, seconds: number): number | null {
  if (before === null || after === null || !(seconds > 0)) return null;
  return growth(before, after) / seconds;
}

/**
 * Mean ack latency in milliseconds of the deliveries acked between two
 * readings (from the histogram's sum and count); null when none were.
 */
export function ackLatencyMs(before: Reading, after: Reading): number | null {
  if (before.ackSum === null || after.ackSum === null || before.ackCount === null || after.ackCount === null) return null;
  const n = growth(before.ackCount, after.ackCount);
  if (n === 0) return null;
  const reset = after.ackCount < before.ackCount;
  const sum = reset ? after.ackSum : after.ackSum - before.ackSum;
  return Math.max(0, (sum / n) * 1000);
}

/**
 * Share of the outcomes between two readings that succeeded; null when
 * nothing was settled in between. A reply moving from sent to failed counts
 * as one more failure, not as a negative success.
 */
export function successShare(before: Reading, after: Reading): number | null {
  const ok = Math.max(0, after.succeeded - before.succeeded);
  const bad = Math.max(0, after.failed - before.failed);
  return ok + bad === 0 ? null : ok / (ok + bad);
}

/** The figures of one interval, placed at its end. */
export type Point = {
  at: number;
  ingest: number | null;
  ackMs: number | null;
  success: number | null;
  lag: Record<StreamName, number>;
  dlq: number;
};

/** One point per pair of consecutive readings. */
export function points(readings: Reading[]): Point[] {
  const out: Point[] = [];
  for (let i = 1; i < readings.length; i++) {
    const a = readings[i - 1];
    const b = readings[i];
    out.push({
      at: b.at,
      ingest: rate(a.accepted, b.accepted, (b.at - a.at) / 1000),
      ackMs: ackLatencyMs(a, b),
      success: successShare(a, b),
      lag: b.lag,
      dlq: b.depth.DLQ,
    });
  }
  return out;
}

/** Columns for a time chart: x in seconds, then one array per series. */
export type Columns = [number[], ...(number | null)[][]];

export function columns(pts: Point[], pick: ((p: Point) => number | null)[]): Columns {
  return [pts.map((p) => p.at / 1000), ...pick.map((f) => pts.map(f))];
}

/** The headline figures: rates over the last `spanMs`, latest levels. */
export type Summary = {
  /** Webhooks accepted per second over the span; null until two readings (or no edge counters). */
  ingest: number | null;
  /** Webhooks accepted over the span. */
  acceptedInSpan: number | null;
  /** Mean ack latency over the span (ms); null when nothing was acked. */
  ackMs: number | null;
  /** Success share over the span, else the all-time one. */
  success: number | null;
  successScope: 'recent' | 'all time' | null;
  lag: Record<StreamName, number> | null;
  dlq: number | null;
};

export function summary(readings: Reading[], spanMs: number): Summary {
  const last = readings.at(-1);
  if (!last) return { ingest: null, acceptedInSpan: null, ackMs: null, success: null, successScope: null, lag: null, dlq: null };
  const first = readings.find((r) => last.at - r.at <= spanMs) ?? last;
  const twoReadings = first !== last;
  // Sum interval by interval so a reset in between counts right.
  let accepted: number | null = null;
  let okSeen = 0;
  let badSeen = 0;
  let ackSum = 0;
  let ackN = 0;
  const from = readings.indexOf(first);
  for (let i = from + 1; i < readings.length; i++) {
    const a = readings[i - 1];
    const b = readings[i];
    if (a.accepted !== null && b.accepted !== null) accepted = (accepted ?? 0) + growth(a.accepted, b.accepted);
    okSeen += Math.max(0, b.succeeded - a.succeeded);
    badSeen += Math.max(0, b.failed - a.failed);
    const ms = ackLatencyMs(a, b);
    if (ms !== null && a.ackCount !== null && b.ackCount !== null) {
      const n = growth(a.ackCount, b.ackCount);
      ackSum += ms * n;
      ackN += n;
    }
  }
  const seconds = (last.at - first.at) / 1000;
  const recent = okSeen + badSeen > 0;
  return {
    ingest: twoReadings && accepted !== null && seconds > 0 ? accepted / seconds : null,
    acceptedInSpan: twoReadings ? accepted : null,
    ackMs: ackN > 0 ? ackSum / ackN : null,
    success: recent ? okSeen / (okSeen + badSeen) : last.successRate,
    successScope: recent ? 'recent' : last.successRate === null ? null : 'all time',
    lag: last.lag,
    dlq: last.depth.DLQ,
  };
}

/** Figures as the page prints them. */
export function perSecond(v: number | null): string {
  if (v === null) return '—';
  return v === 0 ? '0/s' : v < 10 ? `${v.toFixed(2)}/s` : `${Math.round(v)}/s`;
}

export function millis(v: number | null): string {
  if (v === null) return '—';
  return v < 10 ? `${v.toFixed(1)} ms` : `${Math.round(v)} ms`;
}

export function percent(v: number | null): string {
  return v === null ? '—' : `${(v * 100).toFixed(1)} %`;
}
