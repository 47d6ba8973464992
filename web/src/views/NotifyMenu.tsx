// The inbox's attention settings: a small menu (sound, browser
// notifications: the permission is asked only when the agent turns them
// on), and the hook that updates the tab's title and announces a new
// customer message (a generated beep; a notification while the tab is
// hidden, whose click focuses the conversation).
import { useEffect, useRef, useState } from 'react';
import type { Conversation } from '../api/client';
import { contactName } from '../lib/contact';
import { BellSvg } from './icons';
import { BASE_TITLE, loadNotify, newCustomerMessages, notificationOf, saveNotify, shouldNotify, tabTitle, unreadTotal, type NotifySettings } from '../lib/notify';

/** The agent's settings (this browser), and a setter that keeps them. */
export function useNotifySettings(agentId: number | null): [NotifySettings, (s: NotifySettings) => void] {
  const [settings, setSettings] = useState(() => loadNotify(agentId));
  const set = (s: NotifySettings) => { saveNotify(agentId, s); setSettings(s); };
  return [settings, set];
}

/** Keeps the title's unread count and announces new customer messages among `items` (after the first load). */
export function useAttention(items: readonly Conversation[], loading: boolean, settings: NotifySettings, onOpen: (id: number) => void): void {
  const seen = useRef<number | null>(null);
  const current = useRef({ settings, onOpen });
  current.current = { settings, onOpen };
  useEffect(() => {
    document.title = tabTitle(unreadTotal(items));
  }, [items]);
  useEffect(() => () => { document.title = BASE_TITLE; }, []);
  useEffect(() => {
    if (loading) return;
    const { fresh, seen: next } = newCustomerMessages(seen.current, items as Conversation[]);
    seen.current = next;
    if (fresh.length === 0) return;
    const { settings: s, onOpen: open } = current.current;
    if (s.sound) beep();
    const permission = typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
    if (!shouldNotify(s, document.visibilityState === 'hidden', permission)) return;
    for (const c of fresh.slice(0, 3)) {
      const { title, body } = notificationOf(c, contactName(c.contact));
      const n = new Notification(title, { body, tag: `wharf-conversation-${c.id}` });
      n.onclick = () => { window.focus(); open(c.id); n.close(); };
    }
  }, [items, loading]);
}

let audio: AudioContext | null = null;

/** A short two-tone beep, made with WebAudio (no sound file). */
function beep(): void {
  try {
    audio ??= new AudioContext();
    const t = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
    gain.connect(audio.destination);
    const osc = audio.createOscillator();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(880, t);
    osc.frequency.setValueAtTime(660, t + 0.12);
    osc.connect(gain);
    osc.start(t);
    osc.stop(t + 0.3);
  } catch {
    /* no audio: the title still counts */
  }
}

export function NotifyMenu({ settings, onChange }: { settings: NotifySettings; onChange: (s: NotifySettings) => void }) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const root = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (!root.current?.contains(e.target as Node)) setOpen(false); };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const setDesktop = async (on: boolean) => {
    setNote(null);
    if (!on) { onChange({ ...settings, desktop: false }); return; }
    if (typeof Notification === 'undefined') { setNote('This browser cannot show notifications.'); return; }
    const permission = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    if (permission === 'granted') onChange({ ...settings, desktop: true });
    else setNote('The browser did not allow notifications: allow them for this site in its settings, then try again.');
  };

  return (
    <span className="snooze-menu notify-menu" ref={root}>
      <button type="button" className="ghost icon" aria-haspopup="true" aria-expanded={open} aria-controls="notify-settings"
        title="Notifications" aria-label="Notification settings" onClick={() => setOpen(!open)}>
        <BellSvg />
      </button>
      {open && (
        <div className="menu" id="notify-settings" role="group" aria-label="Notifications" data-testid="notify-menu"
          onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); setOpen(false); } }}>
          <label className="check"><input type="checkbox" checked={settings.sound}
            onChange={(e) => { const sound = e.target.checked; onChange({ ...settings, sound }); if (sound) beep(); }} /> Sound on a new customer message</label>
          <label className="check"><input type="checkbox" checked={settings.desktop}
            onChange={(e) => void setDesktop(e.target.checked)} /> Browser notifications while this tab is hidden</label>
          <p className="muted small">Kept in this browser for your account.</p>
          {note && <p className="error small" role="alert">{note}</p>}
        </div>
      )}
    </span>
  );
}
