// Hours in a form: off, or a time zone, times and weekdays (a routing rule's
// business hours, a campaign's send window). One editor for both.
import { useMemo } from 'react';
import { WEEKDAYS, type HoursForm } from '../lib/admin';

export type HoursValue = HoursForm & {
  on: boolean;
  /** Present: the form offers "inside / outside these hours". */
  inside?: boolean;
};

export function HoursFields({ value, set, legend, toggle, idPrefix, note }: {
  value: HoursValue;
  set: (patch: Partial<HoursValue>) => void;
  legend: string;
  /** The checkbox's words, e.g. "Only at certain hours". */
  toggle: string;
  /** Ids of the inputs: `<idPrefix>-hoursFrom`, … */
  idPrefix: string;
  note?: string;
}) {
  const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []), []);
  const toggleDay = (d: number, on: boolean) =>
    set({ days: on ? [...value.days, d].sort((x, y) => x - y) : value.days.filter((x) => x !== d) });
  return (
    <fieldset>
      <legend>{legend}</legend>
      <label className="check">
        <input type="checkbox" checked={value.on} onChange={(e) => set({ on: e.target.checked,
          timeZone: value.timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone })} />
        {toggle}
      </label>
      {value.on && (
        <>
          {note && <p className="muted small">{note}</p>}
          <div className="form-grid">
            <label>Time zone<input id={`${idPrefix}-hoursTimeZone`} list={`${idPrefix}-time-zones`} placeholder="Europe/Berlin" value={value.timeZone}
              onChange={(e) => set({ timeZone: e.target.value })} /></label>
            <label>From<input id={`${idPrefix}-hoursFrom`} type="time" value={value.from} onChange={(e) => set({ from: e.target.value })} />
              <small>Local time, inclusive.</small></label>
            <label>To<input id={`${idPrefix}-hoursTo`} type="time" value={value.to} onChange={(e) => set({ to: e.target.value })} />
              <small>Exclusive; before “from” means overnight.</small></label>
            {value.inside !== undefined && (
              <label>Matches
                <select id={`${idPrefix}-hoursInside`} value={value.inside ? 'inside' : 'outside'} onChange={(e) => set({ inside: e.target.value === 'inside' })}>
                  <option value="inside">inside these hours</option><option value="outside">outside these hours</option>
                </select></label>
            )}
          </div>
          <datalist id={`${idPrefix}-time-zones`}>{zones.map((z) => <option key={z} value={z} />)}</datalist>
          <fieldset className="checks">
            <legend>Days <small className="muted">(none: every day)</small></legend>
            {WEEKDAYS.map(([d, name]) => (
              <label key={d} className="check">
                <input type="checkbox" checked={value.days.includes(d)} onChange={(e) => toggleDay(d, e.target.checked)} /> {name}
              </label>))}
          </fieldset>
        </>
      )}
    </fieldset>
  );
}
