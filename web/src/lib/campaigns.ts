// Campaigns: which actions a state allows, the progress figures, the
// template's body parameters, a CSV audience's preview and the create
// request built from the form.
import type { components } from '../api/schema';
import { placeholders, templateBody } from './templates';
import { hoursOf, type HoursForm } from './admin';

type CampaignOut = components['schemas']['CampaignOut'];
type Counts = components['schemas']['CampaignCountsOut'];
type CampaignIn = components['schemas']['CampaignIn'];

export const CAMPAIGN_STATES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export const RECIPIENT_STATUSES = ['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled', 'replied'] as const;
export const COUNT_KEYS = RECIPIENT_STATUSES;

export type CampaignAction = 'start' | 'pause' | 'resume' | 'cancel' | 'delete';

/** What a campaign in `state` allows, in the order of the buttons. */
export function allowedActions(state: string): CampaignAction[] {
  switch (state) {
    case 'draft': return ['start', 'cancel', 'delete'];
    case 'scheduled': return ['cancel'];
    case 'running': return ['pause', 'cancel'];
    case 'paused': return ['resume', 'cancel'];
    default: return [];
  }
}

/** Whether the detail polls: the campaign can still move by itself. */
export function isLive(state: string): boolean {
  return state === 'scheduled' || state === 'running' || state === 'paused';
}

/** The tone of a state badge. */
export function stateTone(state: string): 'ok' | 'bad' | 'warn' | 'none' {
  switch (state) {
    case 'running': case 'completed': return 'ok';
    case 'paused': return 'warn';
    case 'cancelled': return 'bad';
    default: return 'none';
  }
}

/** Recipients reached so far: sent or later (delivered, read, replied). */
export function sentOrLater(c: Counts): number {
  return c.sent + c.delivered + c.read + c.replied;
}

/** Recipients settled: nothing more will happen to them. */
export function settled(c: Counts): number {
  return sentOrLater(c) + c.failed + c.skipped + c.cancelled;
}

/** "12 / 300 (4 %)": sent-or-later over recipients. */
export function progressText(c: Counts): string {
  const done = sentOrLater(c);
  const pct = c.recipients ? Math.floor((done * 100) / c.recipients) : 0;
  return `${done} / ${c.recipients} (${pct} %)`;
}

/** The number of distinct `{{n}}` placeholders of a template's body, or null when the body is unknown. */
export function parameterCount(components: unknown): number | null {
  const body = templateBody(components);
  return body === null ? null : placeholders(body).length;
}

/** Splits one CSV line (quotes allowed, `""` an escaped quote). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { out.push(cur.trim()); cur = ''; }
    else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

export type CsvPreview = { header: string[]; rows: number; idColumn: string | null; problem: string | null };

const ID_COLUMNS = ['phone', 'wa_id', 'user_id'];

/** A pasted or uploaded CSV: its header, data row count, id column, and what is wrong with it (the server checks again). */
export function csvPreview(text: string): CsvPreview | null {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) return null;
  const header = csvFields(lines[0]).map((h) => h.toLowerCase());
  const ids = header.filter((h) => ID_COLUMNS.includes(h));
  const problem = ids.length === 0 ? 'The header needs one id column: phone, wa_id or user_id.'
    : ids.length > 1 ? `The header names several id columns (${ids.join(', ')}): keep one.`
    : lines.length === 1 ? 'The CSV has a header but no rows.'
    : null;
  return { header, rows: lines.length - 1, idColumn: ids[0] ?? null, problem };
}

/** The `{{csv.<column>}}` placeholders a CSV header offers (the id column too). */
export function csvPlaceholders(header: readonly string[]): string[] {
  return header.map((h) => `{{csv.${h}}}`);
}

export type AudienceForm =
  | { kind: 'label'; labelId: string }
  | { kind: 'all'; tier: string; language: string }
  | { kind: 'csv'; csv: string };

export type CampaignForm = {
  name: string; numberId: string; template: string; language: string; parameters: string[];
  audience: AudienceForm; rate: string;
  /** A send window (the audience's business hours); absent or null: any time. */
  window?: HoursForm | null;
};

/** The create request of the form, or the first thing the form misses. */
export function campaignRequest(f: CampaignForm): { body: CampaignIn } | { error: string } {
  if (!f.name.trim()) return { error: 'Give the campaign a name.' };
  if (!f.numberId) return { error: 'Choose a business number.' };
  if (!f.template.trim()) return { error: 'Choose a template.' };
  if (!f.language.trim()) return { error: 'Give the template’s language.' };
  let audience: CampaignIn['audience'];
  if (f.audience.kind === 'label') {
    if (!f.audience.labelId) return { error: 'Choose a label.' };
    audience = { label_id: Number(f.audience.labelId) };
  } else if (f.audience.kind === 'all') {
    audience = { all: true, ...(f.audience.tier.trim() ? { tier: f.audience.tier.trim() } : {}),
      ...(f.audience.language.trim() ? { language: f.audience.language.trim() } : {}) };
  } else {
    if (!f.audience.csv.trim()) return { error: 'Paste or upload a CSV.' };
    audience = { csv: f.audience.csv };
  }
  const body: CampaignIn = {
    name: f.name.trim(), business_number_id: Number(f.numberId), template_name: f.template.trim(),
    template_language: f.language.trim(), parameters: f.parameters, audience,
  };
  if (f.window) {
    const hours = hoursOf(f.window);
    if ('error' in hours) return { error: `Send window: ${hours.error}` };
    body.send_window = hours.hours;
  }
  if (f.rate.trim()) {
    const rate = Number(f.rate);
    if (!Number.isFinite(rate) || rate <= 0) return { error: 'The rate is a number of sends per second above 0.' };
    body.rate_per_second = rate;
  }
  return { body };
}

/** "Mon–Fri 09:00–18:00 Europe/Berlin" — or "any time". */
export function windowText(w: { time_zone: string; days?: number[]; from: string; to: string } | null | undefined): string {
  if (!w) return 'any time';
  const names = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  const days = [...(w.days ?? [])].sort((a, b) => a - b);
  const run = days.length > 2 && days.every((d, i) => i === 0 || d === days[i - 1] + 1);
  const dayText = !days.length ? 'every day' : run ? `${names[days[0] - 1]}–${names[days[days.length - 1] - 1]}` : days.map((d) => names[d - 1]).join(', ');
  return `${dayText} ${w.from}–${w.to} ${w.time_zone}`;
}

/** A one-line summary of the audience as the API echoes it. */
export function audienceText(audience: unknown): string {
  if (!audience || typeof audience !== 'object') return '—';
  const a = audience as Record<string, unknown>;
  if (typeof a.csv_rows === 'number') return `CSV (${a.csv_rows} recipient${a.csv_rows === 1 ? '' : 's'})`;
  if (typeof a.label_id === 'number') return `Label #${a.label_id}`;
  if (typeof a.contact_ids === 'number') return `${a.contact_ids} contacts named`;
  if (a.all) return ['All contacts', a.tier ? `tier ${String(a.tier)}` : '', a.language ? `language ${String(a.language)}` : ''].filter(Boolean).join(', ');
  return '—';
}

/** The chart's points: one sample per poll, the sent-or-later count over time. */
export type Sample = { t: number; done: number };

/** Adds a sample, keeping the last `max`. */
export function addSample(samples: readonly Sample[], s: Sample, max = 300): Sample[] {
  const next = [...samples, s];
  return next.length > max ? next.slice(next.length - max) : next;
}

/** The SVG polyline points of `samples` in a `w`×`h` box scaled to `total` recipients. */
export function chartPoints(samples: readonly Sample[], total: number, w: number, h: number): string {
  if (!samples.length) return '';
  const t0 = samples[0].t;
  const span = Math.max(1, samples[samples.length - 1].t - t0);
  const top = Math.max(1, total);
  return samples.map((s) => `${Math.round(((s.t - t0) / span) * w * 10) / 10},${Math.round((h - (Math.min(s.done, top) / top) * h) * 10) / 10}`).join(' ');
}

/** The file name of a campaign's recipients CSV. */
export function csvFileName(c: Pick<CampaignOut, 'id' | 'name'>): string {
  const slug = c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'campaign';
  return `campaign-${c.id}-${slug}-recipients.csv`;
}

/** "Paused by Wharf: template PAUSED" — who paused, and why unless it only repeats who. */
export function pausedText(by: string | undefined, reason: string | undefined): string {
  const who = by === 'wharf' ? 'Wharf' : 'a person';
  return reason && !/^paused by/i.test(reason.trim()) ? `Paused by ${who}: ${reason}` : `Paused by ${who}`;
}
