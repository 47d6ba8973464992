import { describe, expect, test } from 'vitest';
import type { Stats } from '../api/client';
import {
  ackLatencyMs, columns, growth, keepWindow, millis, percent, perSecond, points, rate, readingOf, successShare, summary, type Reading,
} from './health';

function stats(over: Partial<Stats> = {}): Stats {
  return {
    streams: [
      { name: 'INBOUND', messages: 40, bytes: 1, consumers: 4 },
      { name: 'OUTBOUND', messages: 7, bytes: 1, consumers: 1 },
      { name: 'DLQ', messages: 2, bytes: 1, consumers: 0 },
    ],
    consumers: [
      { stream: 'INBOUND', name: 'router-p0', pending: 3, ack_pending: 1, redelivered: 0 },
      { stream: 'INBOUND', name: 'router-p1', pending: 5, ack_pending: 0, redelivered: 0 },
      { stream: 'OUTBOUND', name: 'sender', pending: 1, ack_pending: 0, redelivered: 2 },
      { stream: 'EDGE_EU', name: 'other', pending: 99, ack_pending: 0, redelivered: 0 },
    ],
    deliveries: {
      by_status: [{ status: 'delivered', count: 6 }, { status: 'read', count: 3 }, { status: 'failed', count: 1 }, { status: 'queued', count: 4 }],
      success_rate: 0.9,
    },
    conversations: [],
    ingest: { edges: 1, edges_unreachable: 0, webhooks_accepted: 10, webhooks_rejected: 0, events_stored: 12, ack_seconds_sum: 0.05, ack_seconds_count: 10 },
    ...over,
  };
}

const reading = (at: number, r: Partial<Reading> = {}): Reading => ({
  at, accepted: 0, ackSum: 0, ackCount: 0, lag: { INBOUND: 0, OUTBOUND: 0, DLQ: 0 }, depth: { INBOUND: 0, OUTBOUND: 0, DLQ: 0 },
  succeeded: 0, failed: 0, successRate: null, ...r,
});

describe('readingOf', () => {
  test('sums consumer lag per hub stream and reads depths, outcomes and counters', () => {
    const r = readingOf(stats(), 1000);
    expect(r.lag).toEqual({ INBOUND: 8, OUTBOUND: 1, DLQ: 0 });
    expect(r.depth).toEqual({ INBOUND: 40, OUTBOUND: 7, DLQ: 2 });
    expect([r.succeeded, r.failed, r.successRate]).toEqual([9, 1, 0.9]);
    expect([r.accepted, r.ackSum, r.ackCount]).toEqual([10, 0.05, 10]);
  });
  test('has no counters when the server reads no edges', () => {
    const r = readingOf(stats({ ingest: undefined, deliveries: { by_status: [] } }), 0);
    expect([r.accepted, r.ackSum, r.ackCount, r.successRate]).toEqual([null, null, null, null]);
  });
});

describe('counters', () => {
  test('growth and rate survive a reset', () => {
    expect(growth(10, 25)).toBe(15);
    expect(growth(25, 4)).toBe(4);
    expect(rate(10, 25, 5)).toBe(3);
    expect(rate(25, 4, 2)).toBe(2);
  });
  test('rate is unknown without counters or time', () => {
    expect(rate(null, 5, 1)).toBeNull();
    expect(rate(1, 5, 0)).toBeNull();
  });
  test('ack latency is the mean of the interval, null when nothing was acked', () => {
    const a = reading(0, { ackSum: 1.0, ackCount: 100 });
    expect(ackLatencyMs(a, reading(3000, { ackSum: 1.03, ackCount: 103 }))).toBeCloseTo(10);
    expect(ackLatencyMs(a, reading(3000, { ackSum: 1.0, ackCount: 100 }))).toBeNull();
    // A restarted edge: only the new counts.
    expect(ackLatencyMs(a, reading(3000, { ackSum: 0.004, ackCount: 2 }))).toBeCloseTo(2);
    expect(ackLatencyMs(reading(0, { ackSum: null, ackCount: null }), a)).toBeNull();
  });
  test('success share of an interval', () => {
    const a = reading(0, { succeeded: 10, failed: 1 });
    expect(successShare(a, reading(1, { succeeded: 13, failed: 2 }))).toBe(0.75);
    expect(successShare(a, a)).toBeNull();
    // sent → failed: one fewer success, one more failure.
    expect(successShare(a, reading(1, { succeeded: 9, failed: 2 }))).toBe(0);
  });
});

describe('window', () => {
  test('keeps readings within the span, in order, dropping stale or out-of-order ones', () => {
    let w: Reading[] = [];
    for (const at of [0, 3000, 6000, 9000]) w = keepWindow(w, reading(at), 6000);
    expect(w.map((r) => r.at)).toEqual([3000, 6000, 9000]);
    w = keepWindow(w, reading(8000), 6000);
    expect(w.map((r) => r.at)).toEqual([3000, 6000, 8000]);
  });
  test('points: one per interval, as chart columns in seconds', () => {
    const rs = [
      reading(0, { accepted: 0 }),
      reading(2000, { accepted: 6, depth: { INBOUND: 6, OUTBOUND: 0, DLQ: 1 } }),
      reading(4000, { accepted: 6 }),
    ];
    const pts = points(rs);
    expect(pts.map((p) => p.ingest)).toEqual([3, 0]);
    expect(pts.map((p) => p.dlq)).toEqual([1, 0]);
    expect(columns(pts, [(p) => p.ingest, (p) => p.ackMs])).toEqual([[2, 4], [3, 0], [null, null]]);
    expect(points(rs.slice(0, 1))).toEqual([]);
  });
});

describe('summary', () => {
  test('is empty before any reading and has no rates from one', () => {
    expect(summary([], 30_000).ingest).toBeNull();
    const one = summary([reading(0, { accepted: 5, successRate: 0.5, depth: { INBOUND: 0, OUTBOUND: 0, DLQ: 3 } })], 30_000);
    expect([one.ingest, one.ackMs, one.dlq]).toEqual([null, null, 3]);
    expect([one.success, one.successScope]).toEqual([0.5, 'all time']);
  });
  test('averages over the span only, across a reset', () => {
    const rs = [
      reading(0, { accepted: 0 }),
      reading(10_000, { accepted: 100, ackSum: 1, ackCount: 100 }),
      reading(20_000, { accepted: 130, ackSum: 1.09, ackCount: 130, succeeded: 4, failed: 1 }),
      reading(30_000, { accepted: 10, ackSum: 0.01, ackCount: 10, succeeded: 5, failed: 1 }),
    ];
    const s = summary(rs, 20_000);
    // From 10 s to 30 s: 30 + 10 accepted over 20 s.
    expect(s.acceptedInSpan).toBe(40);
    expect(s.ingest).toBe(2);
    // 30 deliveries at 3 ms and 10 at 1 ms.
    expect(s.ackMs).toBeCloseTo(2.5);
    expect([s.success, s.successScope]).toEqual([5 / 6, 'recent']);
  });
});

test('figures', () => {
  expect([perSecond(null), perSecond(0), perSecond(1.234), perSecond(42.4)]).toEqual(['—', '0/s', '1.23/s', '42/s']);
  expect([millis(null), millis(2.345), millis(120.4)]).toEqual(['—', '2.3 ms', '120 ms']);
  expect([percent(null), percent(0.987)]).toEqual(['—', '98.7 %']);
});
