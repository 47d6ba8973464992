// One live time chart (uPlot on a canvas), as wide as its box. Created once;
// new columns are handed to the same plot. The figures beside it are text,
// so the canvas is hidden from assistive technology.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Columns } from '../lib/health';
import { clockTime } from '../lib/format';

export type Line = { label: string; color: string };

const HEIGHT = 170;

export function TimeChart({ title, lines, data, format, max, span, id, empty, sparse = false }: {
  title: string;
  lines: Line[];
  data: Columns;
  /** How a y value reads (axis and legend). */
  format: (v: number) => string;
  /** The y axis reaches at least this far (so a quiet line sits low). */
  max: number;
  /** Seconds of time shown, ending at the newest point (or now). */
  span: number;
  id: string;
  /** Shown instead of the chart while there is nothing to draw. */
  empty?: string;
  /** Values only now and then (null between): dots, joined across the gaps. */
  sparse?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      series: [
        // The cursor's time in the legend, 24 h like every other time.
        { value: (_: uPlot, v: number | null) => (v === null || v === undefined ? '—' : clockTime(v * 1000, { seconds: true })) },
        ...lines.map((l) => ({
          label: l.label, stroke: l.color, width: 2, spanGaps: sparse,
          // Dense lines get uPlot's own choice (dots while there are few points).
          points: sparse ? { show: true, size: 6, fill: l.color } : { fill: l.color },
          value: (_: uPlot, v: number | null) => (v === null || v === undefined ? '—' : format(v)),
        })),
      ],
      scales: {
        // The newest point's time, not `hi`: uPlot widens a single point's range by far.
        x: { time: true, range: (u) => { const end = u.data[0].at(-1) ?? Date.now() / 1000; return [end - span, end]; } },
        y: { range: (_u, _min, hi) => [0, Math.max(max, hi ?? 0) * 1.1] } },
      axes: [
        // uPlot's own time labels are 12 h ("3:05pm"): ours are 24 h.
        { stroke: '#667085', grid: { stroke: '#eef1f4' }, values: (_u, ticks) => ticks.map((t) => clockTime(t * 1000, { seconds: true })) },
        { stroke: '#667085', grid: { stroke: '#eef1f4' }, size: 64, values: (_u, ticks) => ticks.map(format) },
      ],
      cursor: { drag: { x: false, y: false } },
    };
    const chart = new uPlot(opts, data as uPlot.AlignedData, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    resize.observe(el);
    return () => { resize.disconnect(); chart.destroy(); plot.current = null; };
    // The plot is made once; data updates go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => { plot.current?.setData(data as uPlot.AlignedData); }, [data]);

  const shown = data[0].length;
  return (
    <figure className="panel chart" data-testid={`chart-${id}`} data-points={shown} aria-labelledby={`chart-${id}-title`}>
      <h2 id={`chart-${id}-title`}>{title}</h2>
      {empty && shown === 0 && <p className="muted small">{empty}</p>}
      <div className="chart-box" ref={box} aria-hidden="true" />
    </figure>
  );
}
