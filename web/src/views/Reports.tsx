// Reports (issue 24): the support figures of a range of days (the last 7 or
// 30, or custom) grouped by day, week, agent, team, number or label, from
// `GET /api/v1/reports/support`: the totals, a bar chart (inline SVG) and a
// table; the same report as CSV through `…/support.csv` (fetched with the
// bearer header, saved as a blob). Agents see what the API lets them: their
// teams' conversations and their own replies. The range and grouping sit in
// the address.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../api/client';
import { averageText } from '../lib/csat';
import { seconds } from '../lib/format';
import { saveBlob } from '../lib/download';
import {
  botShare, chartOf, CLOCKS, csvName, dayCount, FRAME, GROUPINGS, groupName, isEmpty, METRICS, parseReportSearch, percentText,
  presetDates, PRESETS,
  rangeError, reportQuery, reportSearch, seriesOf, type Metric, type Report, type ReportFilters,
  type ReportGroup, type Spread,
} from '../lib/reports';
import { complianceText, SLA_CLOCKS, slaTotals } from '../lib/reports';
import { call, failText } from './adminKit';

export function Reports({ api, search, scoped }: { api: Api; search: string; scoped: boolean }) {
  const filters = useMemo(() => parseReportSearch(search, new Date()), [search]);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [metric, setMetric] = useState<Metric>('volume');
  const [csv, setCsv] = useState<{ busy: boolean; error: string | null }>({ busy: false, error: null });
  const invalid = rangeError(filters);
  const query = invalid ? null : reportQuery(filters);
  const key = query ? `${query.from}|${query.to}|${query.group_by}|${query.clock}` : null;

  // Only the latest request's answer is shown (the range changes while one is in flight).
  const latest = useRef(0);
  useEffect(() => {
    const n = ++latest.current;
    setReport(null);
    setError(null);
    if (!query) return;
    void call(() => api.GET('/api/v1/reports/support', { params: { query } }), 'Could not load the report').then((r) => {
      if (n !== latest.current) return;
      if (r.error || !r.data) setError(r.error ?? 'Could not load the report');
      else setReport(r.data);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- `key` stands for the query
  }, [api, key]);

  const setFilters = (f: Partial<ReportFilters>) => {
    window.history.replaceState(null, '', `/reports${reportSearch({ ...filters, ...f })}`);
    window.dispatchEvent(new PopStateEvent('popstate'));
  };

  const download = async () => {
    if (!query) return;
    setCsv({ busy: true, error: null });
    try {
      const r = await api.GET('/api/v1/reports/support.csv', { params: { query }, parseAs: 'blob' });
      if (!(r.data instanceof Blob)) throw Object.assign(new Error('refused'), { res: r });
      saveBlob(r.data, csvName(r.response.headers.get('content-disposition'), filters));
      setCsv({ busy: false, error: null });
    } catch (err) {
      const res = (err as { res?: Parameters<typeof failText>[0] }).res;
      setCsv({ busy: false, error: failText(res, res ? undefined : err, 'The CSV could not be downloaded') });
    }
  };

  const grouping = GROUPINGS.find((g) => g.value === filters.groupBy) ?? GROUPINGS[0];
  return (
    <div className="system reports">
      <div className="page-head">
        <h1>Reports</h1>
        <button type="button" className="ghost" disabled={!query || csv.busy} onClick={() => void download()}>
          {csv.busy ? 'Downloading…' : 'Download CSV'}
        </button>
      </div>
      {scoped && <p className="muted small">As an agent you see your teams’ conversations and your own replies and resolutions.</p>}
      {csv.error && <p className="error" role="alert">{csv.error}</p>}
      <div className="filter-row wrap" role="search" aria-label="Report range and grouping">
        <div className="segmented" role="group" aria-label="Range">
          {PRESETS.map((d) => (
            <button key={d} type="button" aria-pressed={filters.preset === d} onClick={() => setFilters({ preset: d, ...presetDates(d, new Date()) })}>
              Last {d} days
            </button>
          ))}
          <button type="button" aria-pressed={filters.preset === null} onClick={() => setFilters({ preset: null })}>Custom</button>
        </div>
        {filters.preset === null && (
          <>
            <label className="inline-label">From <input type="date" value={filters.from} onChange={(e) => setFilters({ from: e.target.value })} /></label>
            <label className="inline-label">To <input type="date" value={filters.to} onChange={(e) => setFilters({ to: e.target.value })} /></label>
          </>
        )}
        <label className="inline-label">Group by
          <select value={filters.groupBy} onChange={(e) => setFilters({ groupBy: e.target.value as ReportFilters['groupBy'] })}>
            {GROUPINGS.map((g) => <option key={g.value} value={g.value}>{g.label}</option>)}
          </select>
        </label>
        <label className="inline-label" title="Business hours count only the seconds inside each team's business hours">Times in
          <select value={filters.clock} onChange={(e) => setFilters({ clock: e.target.value as ReportFilters['clock'] })}>
            {CLOCKS.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </label>
      </div>
      <p className="muted small" data-testid="report-range">
        {invalid ? '' : `${filters.from} to ${filters.to} (${dayCount(filters)} ${dayCount(filters) === 1 ? 'day' : 'days'}, UTC)`}
      </p>
      {invalid ? <section className="panel"><p className="error" role="alert">{invalid}</p></section>
        : error ? <section className="panel"><p className="error" role="alert">{error}</p></section>
        : report === null ? <section className="panel"><p className="muted" aria-busy="true">Loading…</p></section>
        : isEmpty(report) ? (
          <section className="panel" data-testid="report-empty">
            <p className="muted">No support activity in this range{scoped ? ' that you can see' : ''}: nothing opened, answered or resolved.</p>
          </section>
        ) : (
          <>
            <Totals report={report} />
            <section className="panel" aria-label="Chart">
              <div className="page-head">
                <h2>By {grouping.label.toLowerCase()}</h2>
                <select aria-label="Chart" className="chart-pick" value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
                  {METRICS.map((m) => <option key={m.value} value={m.value}>{m.label}</option>)}
                </select>
              </div>
              <BarChart groups={report.groups} metric={metric} groupBy={filters.groupBy} />
            </section>
            <section className="panel" aria-label="Figures per group">
              {/* Scrolls sideways on a phone: reachable by keyboard. */}
              <div className="table-wrap" tabIndex={0} role="region" aria-label="Figures per group, scrollable">
                <table data-testid="report-table">
                  <thead>
                    <tr>
                      <th>{grouping.label}</th><th className="num">Opened</th><th className="num">Reopened</th><th className="num">Resolved</th>
                      <th className="num">First responses</th><th className="num">First response median</th><th className="num">First response p90</th>
                      <th className="num">Next responses</th><th className="num">Next response median</th><th className="num">Next response p90</th>
                      <th className="num">Resolution median</th><th className="num">Resolution p90</th>
                      <th className="num">Bot-resolved</th><th className="num">Hand-overs</th><th className="num">Hand-over median</th>
                      <th className="num">Online</th><th className="num">Away</th>
                      <th className="num">CSAT asked</th><th className="num">CSAT answered</th><th className="num">CSAT average</th><th className="num">Satisfied</th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.groups.map((g) => <Row key={g.key ?? ''} name={groupName(g, filters.groupBy)} g={g} />)}
                    <Row name="Total" g={report.total} total />
                  </tbody>
                </table>
              </div>
            </section>
            <SlaTable report={report} groupLabel={grouping.label} groupBy={filters.groupBy} />
          </>
        )}
    </div>
  );
}

function Row({ name, g, total = false }: { name: string; g: Omit<ReportGroup, 'key' | 'name'>; total?: boolean }) {
  return (
    <tr data-testid={total ? 'report-total' : 'report-row'} className={total ? 'total' : undefined}>
      <th scope="row">{name}</th>
      <td className="num">{g.opened}</td><td className="num">{g.reopened}</td><td className="num">{g.resolved}</td>
      <td className="num">{g.first_response.count}</td><Secs v={g.first_response.median_secs} /><Secs v={g.first_response.p90_secs} />
      <td className="num">{g.next_response.count}</td><Secs v={g.next_response.median_secs} /><Secs v={g.next_response.p90_secs} />
      <Secs v={g.resolution.median_secs} /><Secs v={g.resolution.p90_secs} />
      <td className="num" title={`${g.bot_resolved} of ${g.resolved} resolutions`}>{percentText(botShare(g))}</td>
      <td className="num">{g.handoff.count}</td><Secs v={g.handoff.median_secs} />
      <Secs v={g.online_secs} /><Secs v={g.away_secs} />
      <td className="num">{g.csat_asked}</td><td className="num">{g.csat_answered}</td>
      <td className="num" data-testid="csat-average">{averageText(g.csat_average)}</td>
      <td className="num" title={`${g.csat_satisfied} of ${g.csat_answered} answers were 4 or 5`}>{percentText(g.csat_satisfied_share ?? null)}</td>
    </tr>
  );
}

/** A duration cell: in words, the exact seconds on hover; a dash when nothing was measured. */
function Secs({ v }: { v: number | undefined }) {
  return v === undefined ? <td className="num muted">—</td> : <td className="num" title={`${v} s`} data-secs={v}>{seconds(v)}</td>;
}

function Totals({ report }: { report: Report }) {
  const t = report.total;
  const timing = (label: string, s: Spread) => (
    <div className="card">
      <div className="card-title">{label}</div>
      <div className="card-value">{s.median_secs === undefined ? '—' : seconds(s.median_secs)}</div>
      <div className="card-sub">{s.count ? `p90 ${seconds(s.p90_secs ?? 0)} · ${s.count} measured` : 'nothing measured'}</div>
    </div>
  );
  return (
    <div className="cards" data-testid="report-totals">
      <div className="card"><div className="card-title">Opened</div><div className="card-value">{t.opened}</div>
        <div className="card-sub">{t.reopened} reopened</div></div>
      <div className="card"><div className="card-title">Resolved</div><div className="card-value">{t.resolved}</div></div>
      {timing('First response (median)', t.first_response)}
      {timing('Next response (median)', t.next_response)}
      {timing('Resolution (median)', t.resolution)}
      <div className="card" data-testid="report-bot-share"><div className="card-title">Bot-resolved</div>
        <div className="card-value">{percentText(botShare(t))}</div>
        <div className="card-sub">{t.bot_resolved} of {t.resolved} resolutions</div></div>
      {timing('Bot hand-over (median)', t.handoff)}
      <div className="card" data-testid="report-csat"><div className="card-title">Satisfaction (CSAT)</div>
        <div className="card-value">{averageText(t.csat_average)}</div>
        <div className="card-sub">{t.csat_answered} of {t.csat_asked} answered · {percentText(t.csat_satisfied_share ?? null)} satisfied</div></div>
      {t.online_secs !== undefined && (
        <div className="card" data-testid="report-online"><div className="card-title">Agents online</div>
          <div className="card-value">{seconds(t.online_secs)}</div>
          <div className="card-sub">{seconds(t.away_secs ?? 0)} away</div></div>
      )}
    </div>
  );
}

/** Grouped bars in inline SVG; the same figures are in the table, so the picture is described in a sentence. */
function BarChart({ groups, metric, groupBy }: { groups: ReportGroup[]; metric: Metric; groupBy: ReportFilters['groupBy'] }) {
  // A phone's chart is a third as wide: larger text, fewer names under the bars.
  const narrow = window.matchMedia('(max-width: 600px)').matches;
  const chart = useMemo(() => chartOf(groups, metric, groupBy, narrow ? 5 : 12), [groups, metric, groupBy, narrow]);
  const series = seriesOf(metric);
  const what = METRICS.find((m) => m.value === metric)?.label ?? '';
  if (chart.bars.length === 0) return <p className="muted">Nothing measured for this chart in the range.</p>;
  return (
    <figure className="bar-chart">
      <svg viewBox={`0 0 ${FRAME.width} ${FRAME.height}`} role="img" aria-label={`${what}, by ${groupBy}; the table below has the figures`}
        data-testid="report-chart">
        {chart.ticks.map((t) => (
          <g key={t.y}>
            <line x1={FRAME.left} x2={FRAME.width - FRAME.right} y1={t.y} y2={t.y} className="grid" />
            <text x={FRAME.left - 6} y={t.y + 4} textAnchor="end">{t.text}</text>
          </g>
        ))}
        {chart.bars.map((b, i) => <rect key={i} x={b.x} y={b.y} width={b.w} height={b.h} fill={b.color}><title>{b.title}</title></rect>)}
        {chart.labels.map((l) => <text key={l.x} x={l.x} y={FRAME.height - 8} textAnchor="middle">{l.text}</text>)}
      </svg>
      <figcaption className="legend small">
        {series.map((s) => <span key={s.label}><i style={{ background: s.color }} aria-hidden="true" /> {s.label}</span>)}
      </figcaption>
    </figure>
  );
}

/** SLA compliance per clock and messages, per group: met of measured (the policies' targets), breaches recorded. */
function SlaTable({ report, groupLabel, groupBy }: { report: Report; groupLabel: string; groupBy: ReportFilters['groupBy'] }) {
  const row = (name: string, g: Omit<ReportGroup, 'key' | 'name'>, total: boolean, key: string) => (
    <tr key={key} data-testid={total ? 'sla-total' : 'sla-row'} className={total ? 'total' : undefined}>
      <th scope="row">{name}</th>
      <td className="num">{g.messages_in}</td><td className="num">{g.messages_out}</td>
      {SLA_CLOCKS.map((c) => <td key={c.value} className="num" data-testid={`sla-${c.value}`}>{complianceText(g.sla[c.value])}</td>)}
      <td className="num" data-testid="sla-breaches"
        title={SLA_CLOCKS.map((c) => `${c.label}: ${g.sla[c.value].breaches}`).join(' · ')}>
        {slaTotals(g).breaches}
      </td>
    </tr>
  );
  return (
    <section className="panel" aria-label="SLA compliance">
      <h2>SLA compliance and messages</h2>
      <div className="table-wrap" tabIndex={0} role="region" aria-label="SLA compliance per group, scrollable">
        <table data-testid="sla-table">
          <thead>
            <tr>
              <th>{groupLabel}</th><th className="num">Messages in</th><th className="num">Messages out</th>
              {SLA_CLOCKS.map((c) => <th key={c.value} className="num">{c.label} SLA met</th>)}
              <th className="num">SLA breaches</th>
            </tr>
          </thead>
          <tbody>
            {report.groups.map((g) => row(groupName(g, groupBy), g, false, g.key ?? ''))}
            {row('Total', report.total, true, 'total')}
          </tbody>
        </table>
      </div>
    </section>
  );
}
