// The alerts banner under the top bar: what Wharf's alert rules have firing
// now (GET /api/v1/alerts), refreshed every 15 s. Shows nothing when all is
// quiet or the alerts cannot be read (the pages say when the API is down).
// Dismissed, it stays away for this browser session until another alert fires.
import { useEffect, useState } from 'react';
import type { Alert, Api } from '../api/client';
import { dismiss, loadDismissed, undismissed } from '../lib/alertBanner';
import { fullTime, shortTime } from '../lib/format';

const REFRESH_MS = 15_000;
const SHOWN = 3;

export function AlertBanner({ api }: { api: Api }) {
  const [firing, setFiring] = useState<Alert[]>([]);
  const [dismissed, setDismissed] = useState(() => loadDismissed(window.sessionStorage));

  useEffect(() => {
    let live = true;
    const load = () =>
      api.GET('/api/v1/alerts', { params: { query: { limit: 1 } } }).then(
        ({ data }) => live && data && setFiring(data.firing),
        () => undefined,
      );
    void load();
    const t = window.setInterval(() => void load(), REFRESH_MS);
    return () => { live = false; window.clearInterval(t); };
  }, [api]);

  const shown = undismissed(firing, dismissed);
  if (shown.length === 0) return null;
  const more = shown.length - SHOWN;
  return (
    <section className="banner error alerts-banner" aria-label="Active alerts" data-testid="alerts-banner">
      <strong>{shown.length === 1 ? '1 alert firing' : `${shown.length} alerts firing`}</strong>
      <ul>
        {shown.slice(0, SHOWN).map((a) => (
          <li key={`${a.rule}/${a.instance}`}>
            <span className="status-pill">{a.severity}</span> {a.summary}{' '}
            {a.fired_at && <time dateTime={a.fired_at} title={fullTime(a.fired_at)}>since {shortTime(a.fired_at)}</time>}
          </li>
        ))}
      </ul>
      {more > 0 && <span className="muted">and {more} more</span>}
      <button type="button" className="ghost dismiss" onClick={() => setDismissed(dismiss(window.sessionStorage, shown))}
        aria-label="Dismiss alerts for this session" title="Hide these alerts for this browser session; an alert that starts firing later shows again">Dismiss</button>
    </section>
  );
}
