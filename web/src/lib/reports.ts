// The Reports page's logic (issue 24): the range and grouping ↔ URL ↔ API
// query, the groups' names, and the bars of its chart. Days are UTC dates,
// as the API groups them; a range covers whole days, its end included.
import type { components } from '../api/schema';
import { seconds } from './format';

export type GroupBy = components['schemas']['ReportGroupBy'];
export type Report = components['schemas']['SupportReportOut'];
export type ReportGroup = components['schemas']['SupportGroupOut'];
export type Spread = components['schemas']['SpreadOut'];
export type SlaClock = components['schemas']['SlaClockOut'];

/** The groupings in the order of the select, and what the group without a key is. */
export const GROUPINGS: readonly { value: GroupBy; label: string; none: string }[] = [
  { value: 'day', label: 'Day', none: 'No day' },
  { value: 'week', label: 'Week', none: 'No week' },
  { value: 'agent', label: 'Agent', none: 'No agent (openings)' },
  { value: 'team', label: 'Team', none: 'No team' },
  { value: 'number', label: 'Business number', none: 'No number' },
  { value: 'label', label: 'Label', none: 'No label' },
];

/** The ranges offered in one click: the last so many days, today included. */
export const PRESETS = [7, 30] as const;
export type Preset = (typeof PRESETS)[number];

/** The longest range the API reports (days). */
export const MAX_DAYS = 366;

/** Which seconds the timings count: all of them, or only those inside the team's business hours. */
export type Clock = 'wall' | 'business';

/** The clocks the page offers, in order. */
export const CLOCKS: readonly { value: Clock; label: string }[] = [
  { value: 'wall', label: 'All hours' },
  { value: 'business', label: 'Business hours' },
];

/** What the page shows: a preset or a custom range of UTC dates (`from`..`to`, both included), the grouping and the clock. */
export type ReportFilters = { preset: Preset | null; from: string; to: string; groupBy: GroupBy; clock: Clock };

const DAY_MS = 86_400_000;

/** The UTC date of `t` as `2026-12-04`. */
export function utcDate(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** `date` (`2026-12-04`) moved by `days`. */
export function addDays(date: string, days: number): string {
  return utcDate(new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS));
}

/** The dates of the last `days` days up to today (UTC). */
export function presetDates(days: Preset, now: Date): { from: string; to: string } {
  const to = utcDate(now);
  return { from: addDays(to, 1 - days), to };
}

/** The filters in the page's address (`?range=7|30|custom&from=…&to=…&group_by=…&clock=business`); 30 days by day, all hours, when absent. */
export function parseReportSearch(search: string, now: Date): ReportFilters {
  const p = new URLSearchParams(search);
  const groupBy = GROUPINGS.find((g) => g.value === p.get('group_by'))?.value ?? 'day';
  const clock = CLOCKS.find((c) => c.value === p.get('clock'))?.value ?? 'wall';
  const range = p.get('range');
  if (range === 'custom') {
    const fallback = presetDates(30, now);
    return { preset: null, from: p.get('from') ?? fallback.from, to: p.get('to') ?? fallback.to, groupBy, clock };
  }
  const preset = PRESETS.find((d) => String(d) === range) ?? 30;
  return { preset, ...presetDates(preset, now), groupBy, clock };
}

/** The address's query for `f` (a preset's dates are not written: they move with the days). */
export function reportSearch(f: ReportFilters): string {
  const p = new URLSearchParams();
  if (f.preset) p.set('range', String(f.preset));
  else {
    p.set('range', 'custom');
    p.set('from', f.from);
    p.set('to', f.to);
  }
  if (f.groupBy !== 'day') p.set('group_by', f.groupBy);
  if (f.clock !== 'wall') p.set('clock', f.clock);
  return `?${p.toString()}`;
}

function validDate(d: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(d) && utcDate(new Date(Date.parse(`${d}T00:00:00Z`) || 0)) === d;
}

/** Why the range cannot be reported (before asking the API), or null. */
export function rangeError(f: Pick<ReportFilters, 'from' | 'to'>): string | null {
  if (!validDate(f.from) || !validDate(f.to)) return 'Pick a start and an end date.';
  if (f.from > f.to) return 'The start date is after the end date.';
  if (dayCount(f) > MAX_DAYS) return `A report covers at most ${MAX_DAYS} days.`;
  return null;
}

/** How many days the range covers, both ends included. */
export function dayCount(f: Pick<ReportFilters, 'from' | 'to'>): number {
  return Math.round((Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / DAY_MS) + 1;
}

/** The API's query: `from` the first day's midnight (UTC), `to` the midnight after the last day (exclusive). */
export function reportQuery(f: ReportFilters): { from: string; to: string; group_by: GroupBy; clock: Clock } {
  return { from: `${f.from}T00:00:00Z`, to: `${addDays(f.to, 1)}T00:00:00Z`, group_by: f.groupBy, clock: f.clock };
}

/** What a group is called in the table: a date, a week, a name (its id when it has none), or what has no key. */
export function groupName(g: Pick<ReportGroup, 'key' | 'name'>, groupBy: GroupBy): string {
  if (g.key === undefined) return GROUPINGS.find((x) => x.value === groupBy)?.none ?? '—';
  switch (groupBy) {
    case 'day': return `${weekday(g.key)} ${g.key}`;
    case 'week': return `Week of ${g.key}`;
    case 'number': return g.name ? `${g.name} (${g.key})` : g.key;
    default: return g.name || `#${g.key}`;
  }
}

/** A group's short name under the chart's bars: `12-03` for dates, a name cut to 12 characters. */
export function shortGroupName(g: Pick<ReportGroup, 'key' | 'name'>, groupBy: GroupBy): string {
  if (g.key !== undefined && (groupBy === 'day' || groupBy === 'week')) return g.key.slice(5);
  const name = g.key === undefined ? 'none' : g.name || `#${g.key}`;
  return name.length > 12 ? `${name.slice(0, 11)}…` : name;
}

function weekday(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? '' : ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
}

/** What the chart shows: the counts, one timing's median and p90, or agents' presence time. */
export type Metric = 'volume' | 'first_response' | 'next_response' | 'resolution' | 'handoff' | 'presence' | 'messages' | 'sla';
export const METRICS: readonly { value: Metric; label: string }[] = [
  { value: 'volume', label: 'Volume: opened, reopened, resolved' },
  { value: 'first_response', label: 'First response: median and p90' },
  { value: 'next_response', label: 'Next response: median and p90' },
  { value: 'resolution', label: 'Resolution: median and p90' },
  { value: 'handoff', label: 'Bot hand-over: median and p90' },
  { value: 'presence', label: 'Agents online and away' },
  { value: 'messages', label: 'Messages in and out' },
  { value: 'sla', label: 'SLA: met, missed, breaches' },
];

/** The metrics whose values are counts (the others are durations). */
const COUNTS: readonly Metric[] = ['volume', 'messages', 'sla'];

/** The SLA clocks, in the order the page shows them. */
export const SLA_CLOCKS = [
  { value: 'first_response', label: 'First response' },
  { value: 'next_response', label: 'Next response' },
  { value: 'resolution', label: 'Resolution' },
] as const;

/** A group's SLA outcomes and breaches over its three clocks. */
export function slaTotals(g: Pick<ReportGroup, 'sla'>): { met: number; missed: number; breaches: number } {
  const clocks = SLA_CLOCKS.map((c) => g.sla[c.value]);
  const sum = (f: (c: SlaClock) => number) => clocks.reduce((n, c) => n + f(c), 0);
  return { met: sum((c) => c.met), missed: sum((c) => c.missed), breaches: sum((c) => c.breaches) };
}

/** One clock's compliance as the table shows it: `50% (1 of 2)`, a dash without outcomes. */
export function complianceText(c: SlaClock): string {
  const n = c.met + c.missed;
  return n === 0 ? '—' : `${percentText(c.compliance ?? c.met / n)} (${c.met} of ${n})`;
}

/** The share of resolutions the bot closed alone (`bot_resolved / resolved`), or null without resolutions. */
export function botShare(g: Pick<ReportGroup, 'resolved' | 'bot_resolved'>): number | null {
  return g.resolved > 0 ? g.bot_resolved / g.resolved : null;
}

/** A share as a whole percentage (`0.5` → `50%`); a dash for none. */
export function percentText(share: number | null): string {
  return share === null ? '—' : `${Math.round(share * 100)}%`;
}

export type Series = { label: string; color: string; value: (g: ReportGroup) => number | null };

/** The bars of each group for `metric`. */
export function seriesOf(metric: Metric): Series[] {
  if (metric === 'volume') {
    return [
      { label: 'Opened', color: '#0f766e', value: (g) => g.opened },
      { label: 'Reopened', color: '#d97706', value: (g) => g.reopened },
      { label: 'Resolved', color: '#1d7fd6', value: (g) => g.resolved },
    ];
  }
  if (metric === 'messages') {
    return [
      { label: 'In (customers)', color: '#0f766e', value: (g) => g.messages_in },
      { label: 'Out', color: '#1d7fd6', value: (g) => g.messages_out },
    ];
  }
  if (metric === 'sla') {
    return [
      { label: 'Met', color: '#0f766e', value: (g) => slaTotals(g).met },
      { label: 'Missed', color: '#d97706', value: (g) => slaTotals(g).missed },
      { label: 'Breaches', color: '#b42318', value: (g) => slaTotals(g).breaches },
    ];
  }
  if (metric === 'presence') {
    return [
      { label: 'Online', color: '#0f766e', value: (g) => g.online_secs ?? null },
      { label: 'Away', color: '#d97706', value: (g) => g.away_secs ?? null },
    ];
  }
  return [
    { label: 'Median', color: '#0f766e', value: (g) => g[metric].median_secs ?? null },
    { label: 'p90', color: '#1d7fd6', value: (g) => g[metric].p90_secs ?? null },
  ];
}

/** How a value of `metric` reads: a count, or a duration. */
export function metricText(metric: Metric, v: number): string {
  return COUNTS.includes(metric) ? String(v) : seconds(v);
}

/** Round steps for a counts axis (1, 2, 5 × 10ⁿ) and a durations axis (seconds). */
const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];

/** The axis' step: the smallest round step putting `max` under `ticks` steps. */
export function niceStep(max: number, ticks: number, durations: boolean): number {
  const raw = Math.max(max, 1) / ticks;
  if (durations) return DURATION_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 604800) * 604800;
  if (raw <= 1) return 1; // counts are whole
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

export type Bar = { x: number; y: number; w: number; h: number; color: string; title: string };
export type Chart = {
  bars: Bar[];
  /** Horizontal grid lines with their value's text. */
  ticks: { y: number; text: string }[];
  /** Group names under the bars (only every so many when there are many). */
  labels: { x: number; text: string }[];
};

/** The chart's frame in SVG units. */
export const FRAME = { width: 720, height: 220, left: 76, right: 8, top: 8, bottom: 28 } as const;

/** The grouped bars of `groups` for `metric`, in the chart's frame (a missing value draws no bar), at most `maxLabels` names under them. */
export function chartOf(groups: readonly ReportGroup[], metric: Metric, groupBy: GroupBy, maxLabels = 12): Chart {
  const series = seriesOf(metric);
  const values = groups.map((g) => series.map((s) => s.value(g)));
  const max = Math.max(0, ...values.flat().map((v) => v ?? 0));
  const step = niceStep(max, 4, !COUNTS.includes(metric));
  const top = Math.max(step, Math.ceil(max / step) * step);
  const plotW = FRAME.width - FRAME.left - FRAME.right;
  const plotH = FRAME.height - FRAME.top - FRAME.bottom;
  const base = FRAME.top + plotH;
  const slot = plotW / Math.max(1, groups.length);
  const barW = Math.min(40, (slot * 0.8) / series.length);
  const inset = (slot - barW * series.length) / 2;
  const bars: Bar[] = [];
  groups.forEach((g, i) => {
    series.forEach((s, j) => {
      const v = values[i][j];
      if (v === null) return;
      const h = (v / top) * plotH;
      bars.push({
        x: FRAME.left + i * slot + inset + j * barW, y: base - h, w: barW, h, color: s.color,
        title: `${groupName(g, groupBy)} · ${s.label}: ${metricText(metric, v)}`,
      });
    });
  });
  const ticks = [];
  for (let v = 0; v <= top; v += step) ticks.push({ y: base - (v / top) * plotH, text: metricText(metric, v) });
  const every = Math.ceil(groups.length / maxLabels);
  const labels = groups.flatMap((g, i) => (i % every === 0
    ? [{ x: FRAME.left + (i + 0.5) * slot, text: shortGroupName(g, groupBy) }] : []));
  return { bars, ticks, labels };
}

/** Whether a report has nothing in it. */
export function isEmpty(r: Report): boolean {
  const t = r.total;
  return r.groups.length === 0 && t.opened + t.reopened + t.resolved + t.first_response.count + t.next_response.count
    + t.handoff.count + (t.online_secs ?? 0) + (t.away_secs ?? 0) + t.messages_in + t.messages_out === 0;
}

/** The CSV file's name: the API's `Content-Disposition` name, else one made of the grouping and dates. */
export function csvName(disposition: string | null, f: ReportFilters): string {
  const named = /filename="?([^";]+)"?/.exec(disposition ?? '')?.[1];
  const base = named ? named.replace(/\.csv$/, '') : `support-${f.groupBy}`;
  return `${base}-${f.from}-to-${f.to}.csv`;
}
