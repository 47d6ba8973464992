// The conversation header's snooze control: a menu (1 hour, tonight,
// tomorrow, a custom time) while awake; "Snoozed until …" with "Wake up"
// while asleep. The API answers 409 when the conversation changed since it
// was read: the caller reloads it.
import { useState, type FormEvent } from 'react';
import { errorText, type Api, type Conversation } from '../api/client';
import { customUntil, localInputValue, snoozeChoices, snoozedText } from '../lib/snooze';
import { ClockIcon } from './icons';

export function SnoozeMenu({ api, conversation, now, onChanged, onStale, onNotice }: {
  api: Api; conversation: Conversation; now: Date;
  onChanged: (next: Conversation) => void; onStale: () => void; onNotice: (text: string | null) => void;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [custom, setCustom] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const c = conversation;
  if (c.status === 'resolved') return null;

  const send = async (until: Date | null) => {
    setBusy(true);
    onNotice(null);
    const path = { params: { path: { id: c.id } } };
    const res = await (until
      ? api.POST('/api/v1/conversations/{id}/snooze', { ...path, body: { version: c.version, until: until.toISOString() } })
      : api.POST('/api/v1/conversations/{id}/wake', { ...path, body: { version: c.version } })
    ).catch((err: unknown) => ({ data: undefined, error: { code: 'network', detail: errorText(err) }, response: null }));
    setBusy(false);
    if (res.data) {
      setOpen(false);
      setCustom('');
      onChanged(res.data);
    } else if (res.response?.status === 409) {
      onNotice(`This conversation changed before you could ${until ? 'snooze' : 'wake'} it. It has been reloaded; try again.`);
      onStale();
    } else {
      onNotice(errorText(res.error, until ? 'Could not snooze the conversation' : 'Could not wake the conversation'));
    }
  };

  const asleep = snoozedText(c.snoozed_until, now);
  if (asleep) {
    return (
      <span className="snooze-state">
        <span className="snoozed-badge" data-testid="conversation-snoozed"><ClockIcon /> {asleep}</span>
        <button type="button" className="ghost" disabled={busy} onClick={() => void send(null)}>{busy ? 'Waking…' : 'Wake up'}</button>
      </span>
    );
  }
  const submitCustom = (e: FormEvent) => {
    e.preventDefault();
    const picked = customUntil(custom, new Date());
    if ('problem' in picked) setProblem(picked.problem);
    else { setProblem(null); void send(picked.until); }
  };
  return (
    <span className="snooze-menu">
      <button type="button" className="ghost" aria-haspopup="menu" aria-expanded={open} disabled={busy}
        onClick={() => { setOpen(!open); setProblem(null); if (!custom) setCustom(localInputValue(new Date(now.getTime() + 2 * 3_600_000))); }}>
        {busy ? 'Snoozing…' : 'Snooze'}
      </button>
      {open && (
        <div className="menu" role="menu" aria-label="Snooze until" data-testid="snooze-menu"
          onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); setOpen(false); } }}>
          {snoozeChoices(now).map((choice) => (
            <button key={choice.key} type="button" role="menuitem" disabled={busy} onClick={() => void send(choice.until)}>{choice.label}</button>
          ))}
          <form onSubmit={submitCustom} className="menu-custom" aria-label="Snooze until a custom time">
            <input type="datetime-local" aria-label="Custom snooze time" value={custom} onChange={(e) => setCustom(e.target.value)} />
            <button type="submit" className="ghost" disabled={busy}>Snooze</button>
          </form>
          {problem && <p className="error small" role="alert">{problem}</p>}
        </div>
      )}
    </span>
  );
}
