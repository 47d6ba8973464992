// Campaigns (issue 25): the pure logic of the Campaigns page — which
// actions a state allows, the progress figures, a CSV audience's preview,
// the template's parameter count and the create request's body.
import type { components } from '../api/schema';

export type CampaignOut = components['schemas']['CampaignOut'];
export type Counts = components['schemas']['CampaignCountsOut'];

export const CAMPAIGN_STATES = ['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export const RECIPIENT_STATUSES = ['pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled', 'replied'] as const;

export type Action = 'start' | 'pause' | 'resume' | 'cancel' | 'delete';

/** The actions a campaign in `state` allows, in the order shown. */
export function allowedActions(state: string): Action[] {
  switch (state) {
    case 'draft': return ['start', 'cancel', 'delete'];
    case 'scheduled': return ['start', 'pause', 'cancel'];
    case 'running': return ['pause', 'cancel'];
    case 'paused': return ['resume', 'cancel'];
    default: return [];
  }
}

/** Whether the page keeps polling the campaign. */
export function isLive(state: string): boolean {
  return state === 'scheduled' || state === 'running' || state === 'paused';
}

/** Recipients the provider accepted (sent, delivered or read). */
export function reached(c: Counts): number {
  return c.sent + c.delivered + c.read;
}

/** Progress: recipients settled (reached, failed, skipped, cancelled) of all, 0–1. */
export function progress(c: Counts): number {
  if (c.recipients === 0) return 1;
  return Math.min(1, (reached(c) + c.failed + c.skipped + c.cancelled) / c.recipients);
}

/** A pasted CSV audience at a glance: its columns, rows and the id column. */
export function csvPreview(text: string): { columns: string[]; rows: number; idColumn: string | null; error: string | null } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (!lines.length) return { columns: [], rows: 0, idColumn: null, error: 'The CSV is empty.' };
  const columns = lines[0].split(',').map((c) => c.trim().replace(/^"|"$/g, '').toLowerCase());
  const idColumn = columns.find((c) => c === 'phone' || c === 'wa_id' || c === 'user_id') ?? null;
  return {
    columns,
    rows: lines.length - 1,
    idColumn,
    error: idColumn ? null : 'The header names no id column: phone, wa_id or user_id.',
  };
}

/** The `{{n}}` parameters of a template's BODY component (null: unknown). */
export function bodyParameterCount(components: unknown): number | null {
  if (!Array.isArray(components)) return null;
  const body = components.find((c) => c && typeof c === 'object' && (c as { type?: string }).type === 'BODY') as { text?: string } | undefined;
  if (!body || typeof body.text !== 'string') return null;
  return new Set([...body.text.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1])).size;
}

export type AudienceForm = { kind: 'csv' | 'label' | 'all'; csv: string; labelId: string; tier: string; language: string };

/** The `audience` of a create request. */
export function audienceBody(form: AudienceForm): Record<string, unknown> {
  if (form.kind === 'csv') return { csv: form.csv };
  if (form.kind === 'label') return { label_id: Number(form.labelId) };
  const body: Record<string, unknown> = { all: true };
  if (form.tier.trim()) body.tier = form.tier.trim();
  if (form.language.trim()) body.language = form.language.trim();
  return body;
}

/** A state's badge tone. */
export function stateTone(state: string): 'ok' | 'warn' | 'bad' | 'muted' {
  if (state === 'running' || state === 'completed') return 'ok';
  if (state === 'paused' || state === 'scheduled') return 'warn';
  if (state === 'cancelled') return 'bad';
  return 'muted';
}
