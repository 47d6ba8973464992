// Small inline SVG icons drawn with the text colour (currentColor), so they
// render the same on every machine: no emoji or symbol font is needed.
import type { TickIcon } from '../lib/format';

const common = { width: 16, height: 12, viewBox: '0 0 16 12', fill: 'none', stroke: 'currentColor', strokeWidth: 1.6,
  strokeLinecap: 'round', strokeLinejoin: 'round', 'aria-hidden': true, focusable: false } as const;

/** A delivery tick: clock (queued), one or two checks, or a failure mark. */
export function TickSvg({ icon }: { icon: TickIcon }) {
  switch (icon) {
    case 'clock':
      return <svg {...common} data-icon="clock"><circle cx="8" cy="6" r="4.8" /><path d="M8 3.4V6l1.8 1.2" /></svg>;
    case 'check':
      return <svg {...common} data-icon="check"><path d="M2.5 6.5l3 3 6-7" /></svg>;
    case 'double-check':
      return <svg {...common} data-icon="double-check"><path d="M1 6.5l3 3 6-7M7.2 8.8l.9.7 6-7" /></svg>;
    case 'failed':
      return <svg {...common} data-icon="failed"><path d="M8 2.2v5M8 9.6v.2" strokeWidth={2} /></svg>;
    default:
      return null;
  }
}

/** Three lines: the phone layout's menu button. */
export function MenuSvg() {
  return (
    <svg width="18" height="18" viewBox="0 0 18 18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" aria-hidden="true" focusable="false">
      <path d="M3 5h12M3 9h12M3 13h12" />
    </svg>
  );
}

/** A small clock: a snoozed conversation. */
export function ClockIcon() {
  return <svg {...common} data-icon="snooze"><circle cx="8" cy="6" r="4.8" /><path d="M8 3.4V6l1.8 1.2" /></svg>;
}

/** A bell: the notification settings. */
export function BellSvg() {
  return (
    <svg width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" /><path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}
