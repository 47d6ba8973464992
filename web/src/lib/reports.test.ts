import { describe, expect, test } from 'vitest';
import {
  botShare, chartOf, csvName, dayCount, FRAME, groupName, isEmpty, niceStep, parseReportSearch, percentText,
  presetDates, rangeError,
  reportQuery, reportSearch, shortGroupName, type Report, type ReportGroup,
} from './reports';
import { complianceText, slaTotals, type SlaClock } from './reports';

const NOW = new Date('2026-12-04T23:30:00Z');

const spread = (count: number, median?: number, p90?: number) => ({ count, median_secs: median, p90_secs: p90 });
const clock = (met = 0, missed = 0, breaches = 0): SlaClock => ({
  met, missed, breaches, compliance: met + missed > 0 ? Math.round((met / (met + missed)) * 10_000) / 10_000 : undefined,
});
function group(key: string | undefined, over: Partial<ReportGroup> = {}): ReportGroup {
  return {
    key, opened: 0, reopened: 0, resolved: 0, bot_resolved: 0, csat_asked: 0, csat_answered: 0, csat_satisfied: 0,
    first_response: spread(0), next_response: spread(0), resolution: spread(0), handoff: spread(0),
    messages_in: 0, messages_out: 0, sla: { first_response: clock(), next_response: clock(), resolution: clock() }, ...over,
  };
}

describe('the range', () => {
  test('a preset is the last days up to today, in UTC dates', () => {
    expect(presetDates(7, NOW)).toEqual({ from: '2026-11-28', to: '2026-12-04' });
    expect(presetDates(30, NOW)).toEqual({ from: '2026-11-05', to: '2026-12-04' });
    expect(dayCount(presetDates(30, NOW))).toBe(30);
  });

  test('the address keeps a preset, a custom range and the grouping; 30 days by day when absent', () => {
    expect(parseReportSearch('', NOW)).toEqual({ preset: 30, from: '2026-11-05', to: '2026-12-04', groupBy: 'day', clock: 'wall' });
    const week = parseReportSearch('?range=7&group_by=agent', NOW);
    expect(week).toEqual({ preset: 7, from: '2026-11-28', to: '2026-12-04', groupBy: 'agent', clock: 'wall' });
    expect(reportSearch(week)).toBe('?range=7&group_by=agent');
    const custom = { preset: null, from: '2026-10-01', to: '2026-10-31', groupBy: 'week' as const, clock: 'business' as const };
    expect(reportSearch(custom)).toBe('?range=custom&from=2026-10-01&to=2026-10-31&group_by=week&clock=business');
    expect(parseReportSearch(reportSearch(custom), NOW)).toEqual(custom);
    expect(parseReportSearch('?range=9&group_by=fortnight', NOW).groupBy).toBe('day');
    expect(parseReportSearch('?range=9', NOW).preset).toBe(30);
    expect(parseReportSearch('?clock=night', NOW).clock).toBe('wall');
  });

  test('the API query runs from the first midnight to the midnight after the last day', () => {
    expect(reportQuery({ preset: null, from: '2026-11-30', to: '2026-12-31', groupBy: 'team', clock: 'business' }))
      .toEqual({ from: '2026-11-30T00:00:00Z', to: '2027-01-01T00:00:00Z', group_by: 'team', clock: 'business' });
  });

  test('a range the API would refuse is refused before asking it', () => {
    expect(rangeError({ from: '2026-12-01', to: '2026-12-01' })).toBeNull();
    expect(rangeError({ from: '2026-12-02', to: '2026-12-01' })).toMatch(/after the end/);
    expect(rangeError({ from: '', to: '2026-12-01' })).toMatch(/Pick/);
    expect(rangeError({ from: '2026-02-30', to: '2026-03-01' })).toMatch(/Pick/);
    expect(rangeError({ from: '2025-12-01', to: '2026-12-01' })).toBeNull(); // 366 days
    expect(rangeError({ from: '2025-11-30', to: '2026-12-01' })).toMatch(/at most 366/);
  });
});

test('groups are named by date, week, name or id; the keyless group says what it lacks', () => {
  expect(groupName(group('2026-12-04'), 'day')).toBe('Fri 2026-12-04');
  expect(groupName(group('2026-11-30'), 'week')).toBe('Week of 2026-11-30');
  expect(groupName(group('7', { name: 'Ana' }), 'agent')).toBe('Ana');
  expect(groupName(group('7'), 'team')).toBe('#7');
  expect(groupName(group('1065', { name: 'Support' }), 'number')).toBe('Support (1065)');
  expect(groupName(group(undefined), 'agent')).toBe('No agent (openings)');
  expect(groupName(group(undefined), 'label')).toBe('No label');
  expect(shortGroupName(group('2026-12-04'), 'day')).toBe('12-04');
  expect(shortGroupName(group('3', { name: 'Customer care Europe' }), 'team')).toBe('Customer ca…');
});

test('axis steps are round counts or round durations', () => {
  expect(niceStep(0, 4, false)).toBe(1);
  expect(niceStep(7, 4, false)).toBe(2);
  expect(niceStep(130, 4, false)).toBe(50);
  expect(niceStep(100, 4, true)).toBe(30);
  expect(niceStep(650, 4, true)).toBe(300);
  expect(niceStep(5 * 3600, 4, true)).toBe(7200);
});

describe('the chart', () => {
  const groups = [
    group('2026-12-03', { opened: 4, reopened: 1, resolved: 2, first_response: spread(3, 60, 600) }),
    group('2026-12-04', { opened: 2, resolved: 0, first_response: spread(0) }),
  ];

  test('volume: three bars per group, heights in proportion, the axis to a round top', () => {
    const chart = chartOf(groups, 'volume', 'day');
    expect(chart.bars).toHaveLength(6);
    const [opened] = chart.bars;
    const base = FRAME.height - FRAME.bottom;
    expect(opened.y + opened.h).toBeCloseTo(base);
    // 4 of a top of 4 (steps of 1): the full height.
    expect(opened.h).toBeCloseTo(FRAME.height - FRAME.top - FRAME.bottom);
    expect(chart.bars[1].h).toBeCloseTo(opened.h / 4);
    expect(opened.title).toBe('Thu 2026-12-03 · Opened: 4');
    expect(chart.ticks.map((t) => t.text)).toEqual(['0', '1', '2', '3', '4']);
    expect(chart.labels.map((l) => l.text)).toEqual(['12-03', '12-04']);
    expect(chart.bars.every((b) => b.x >= FRAME.left && b.x + b.w <= FRAME.width - FRAME.right)).toBe(true);
  });

  test('timings: median and p90 as durations; a group without a measure has no bar', () => {
    const chart = chartOf(groups, 'first_response', 'day');
    expect(chart.bars.map((b) => b.title)).toEqual(['Thu 2026-12-03 · Median: 1 min', 'Thu 2026-12-03 · p90: 10 min']);
    expect(chart.ticks.at(-1)?.text).toBe('10 min');
  });

  test('presence: online and away time per group as durations; groupings without it draw nothing', () => {
    const agents = [group('7', { name: 'Ana', online_secs: 5400, away_secs: 600 }), group('8', { name: 'Bo', online_secs: 0, away_secs: 0 })];
    const chart = chartOf(agents, 'presence', 'agent');
    expect(chart.bars.map((b) => b.title)).toEqual(['Ana · Online: 1 h 30 min', 'Ana · Away: 10 min', 'Bo · Online: 0 s', 'Bo · Away: 0 s']);
    expect(chartOf([group('1065', { opened: 1 })], 'presence', 'number').bars).toEqual([]);
  });

  test('bot hand-overs: median and p90 like the other timings', () => {
    const chart = chartOf([group('3', { name: 'Care', handoff: spread(2, 90, 300) })], 'handoff', 'team');
    expect(chart.bars.map((b) => b.title)).toEqual(['Care · Median: 1 min 30 s', 'Care · p90: 5 min']);
  });

  test('many groups: every label would overlap, so only some are written', () => {
    const many = Array.from({ length: 30 }, (_, i) => group(`2026-11-${String(i + 1).padStart(2, '0')}`, { opened: i }));
    expect(chartOf(many, 'volume', 'day').labels).toHaveLength(10);
    expect(chartOf(many, 'volume', 'day', 5).labels.map((l) => l.text)).toEqual(['11-01', '11-07', '11-13', '11-19', '11-25']);
  });
});

test('a report without any event is empty', () => {
  const total = group(undefined);
  const report: Report = { from: '', to: '', group_by: 'day', clock: 'wall', groups: [], total };
  expect(isEmpty(report)).toBe(true);
  expect(isEmpty({ ...report, total: { ...total, resolved: 1 } })).toBe(false);
  // Someone online is activity too.
  expect(isEmpty({ ...report, total: { ...total, online_secs: 0 } })).toBe(true);
  expect(isEmpty({ ...report, total: { ...total, online_secs: 60 } })).toBe(false);
});

test('the bot-resolved share is of the resolutions; none without resolutions', () => {
  expect(botShare({ resolved: 4, bot_resolved: 1 })).toBe(0.25);
  expect(percentText(botShare({ resolved: 3, bot_resolved: 2 }))).toBe('67%');
  expect(botShare({ resolved: 0, bot_resolved: 0 })).toBeNull();
  expect(percentText(null)).toBe('—');
});

test('the CSV is named after the API’s file and the dates', () => {
  const f = { preset: 7 as const, from: '2026-11-28', to: '2026-12-04', groupBy: 'agent' as const, clock: 'wall' as const };
  expect(csvName('attachment; filename="support-agent.csv"', f)).toBe('support-agent-2026-11-28-to-2026-12-04.csv');
  expect(csvName(null, f)).toBe('support-agent-2026-11-28-to-2026-12-04.csv');
});

describe('SLA compliance and messages', () => {
  const care = group('3', {
    name: 'Care', messages_in: 5, messages_out: 2,
    sla: { first_response: clock(1, 2, 1), next_response: clock(), resolution: clock(3, 0, 2) },
  });

  test('a clock reads as its met share of the outcomes; none without outcomes', () => {
    expect(complianceText(care.sla.first_response)).toBe('33% (1 of 3)');
    expect(complianceText(care.sla.resolution)).toBe('100% (3 of 3)');
    expect(complianceText(care.sla.next_response)).toBe('—');
  });

  test('the chart adds the clocks up: met, missed, breaches; messages in and out are counts', () => {
    expect(slaTotals(care)).toEqual({ met: 4, missed: 2, breaches: 3 });
    const sla = chartOf([care], 'sla', 'team');
    expect(sla.bars.map((b) => b.title)).toEqual(['Care · Met: 4', 'Care · Missed: 2', 'Care · Breaches: 3']);
    expect(sla.ticks.map((t) => t.text)).toEqual(['0', '1', '2', '3', '4']);
    const messages = chartOf([care], 'messages', 'team');
    expect(messages.bars.map((b) => b.title)).toEqual(['Care · In (customers): 5', 'Care · Out: 2']);
  });

  test('messages alone are activity', () => {
    const total = group(undefined);
    const report: Report = { from: '', to: '', group_by: 'day', clock: 'wall', groups: [], total };
    expect(isEmpty({ ...report, total: { ...total, messages_in: 1 } })).toBe(false);
  });
});
