// Customer satisfaction (docs/reports.md, "Customer satisfaction"): a
// number's settings as a form, a conversation's question and answer in
// words, and the reports' CSAT figures as text. One place for each rule.
import type { components } from '../api/schema';

type CsatSettings = components['schemas']['CsatSettingsOut'];
type CsatSettingsIn = components['schemas']['CsatSettingsIn'];
type Csat = components['schemas']['CsatOut'];

/** The answer window's bounds, in hours (the API's 60 s – 7 days, in whole hours here). */
export const WINDOW_HOURS = { min: 1, max: 168 } as const;

export type CsatForm = { enabled: boolean; question: string; windowHours: string };

/** The form of a number's settings: its own question only (empty: the default). */
export function csatForm(s: CsatSettings): CsatForm {
  return { enabled: s.enabled, question: s.custom_question ? s.question : '', windowHours: String(Math.round(s.window_secs / 3600)) };
}

/** The request of a form, or the field that is wrong. */
export function csatBody(f: CsatForm): { body: CsatSettingsIn } | { error: string } {
  const hours = Number(f.windowHours.trim());
  if (!Number.isInteger(hours) || hours < WINDOW_HOURS.min || hours > WINDOW_HOURS.max) {
    return { error: `The answer window must be a whole number of hours from ${WINDOW_HOURS.min} to ${WINDOW_HOURS.max}.` };
  }
  const question = f.question.trim();
  if (question.length > 1024) return { error: 'The question must be at most 1,024 characters.' };
  return { body: { enabled: f.enabled, window_secs: hours * 3600, ...(question ? { question } : {}) } };
}

/** A conversation's question in words: "Rated 4 of 5", "Asked, no answer yet", … */
export function csatText(c: Csat | undefined | null): string {
  if (!c) return '';
  switch (c.state) {
    case 'answered': return `Rated ${c.score ?? '?'} of 5`;
    case 'asked': return 'Satisfaction asked, no answer yet';
    case 'due': return 'Satisfaction question about to be sent';
    case 'cancelled': return 'Satisfaction question cancelled (reopened)';
    case 'skipped': return 'Satisfaction question not sent (window closed)';
    default: return '';
  }
}

/** The tone (a `tone-*` class) of a score: ok when satisfied (4–5), bad for 1–2, none otherwise. */
export function csatTone(c: Csat | undefined | null): 'ok' | 'bad' | 'none' {
  const s = c?.state === 'answered' ? c.score : undefined;
  if (s === undefined) return 'none';
  return s >= 4 ? 'ok' : s <= 2 ? 'bad' : 'none';
}

/** An average score as "3.5 / 5"; a dash without answers. */
export function averageText(avg: number | undefined | null): string {
  return avg === undefined || avg === null ? '—' : `${avg.toFixed(1)} / 5`;
}
