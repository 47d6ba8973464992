// The template catalog: statuses to filter by, what a template says (its
// body, from Meta's components), which number a "Sync from provider" reads
// and one sentence on what a sync did.
import type { components } from '../api/schema';
import { at } from './timeline';

type TemplateOut = components['schemas']['TemplateOut'];
type TemplateSyncOut = components['schemas']['TemplateSyncOut'];
type NumberOut = components['schemas']['NumberOut'];

/** Meta's template statuses, the sendable one first. */
export const TEMPLATE_STATUSES = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED', 'IN_APPEAL', 'FLAGGED', 'DELETED'] as const;

/** The tone of a status badge: approved is good, refused or stopped ones are bad. */
export function templateStatusTone(status: string): 'ok' | 'bad' | 'warn' | 'none' {
  switch (status.toUpperCase()) {
    case 'APPROVED': return 'ok';
    case 'REJECTED': case 'DISABLED': case 'PAUSED': case 'DELETED': case 'FLAGGED': return 'bad';
    case 'PENDING': case 'IN_APPEAL': case 'PENDING_DELETION': return 'warn';
    default: return 'none';
  }
}

/**
 * The body text of a template ("Hello {{1}}, …"): its BODY component (Meta's
 * listing), or the `message_template_element` of a template known from
 * Meta's `message_template_components_update` webhook.
 */
export function templateBody(components: unknown): string | null {
  const element = at(components, 'message_template_element');
  if (typeof element === 'string') return element;
  if (!Array.isArray(components)) return null;
  for (const c of components) {
    const type = at(c, 'type');
    const text = at(c, 'text');
    if (typeof type === 'string' && type.toUpperCase() === 'BODY' && typeof text === 'string') return text;
  }
  return null;
}

/** Filters of the catalog page, to the API's query (empty ones left out). */
export function templateQuery(f: { number: string; status: string }): { number?: string; status?: string } {
  return { ...(f.number ? { number: f.number } : {}), ...(f.status ? { status: f.status } : {}) };
}

/**
 * The number a sync reads: the one chosen in the filter, else the only
 * number that can have a catalog (WasenderApi numbers have none); null when
 * the admin must choose.
 */
export function syncTarget(numbers: readonly NumberOut[], chosen: string): NumberOut | null {
  if (chosen) return numbers.find((n) => n.phone_number_id === chosen) ?? null;
  const candidates = numbers.filter((n) => n.provider !== 'wasender');
  return candidates.length === 1 ? candidates[0] : null;
}

/** Why a number cannot be synced, or null when it can. */
export function syncBlocker(n: NumberOut | null): string | null {
  if (!n) return 'Choose a number to sync its business account’s templates.';
  if (n.provider === 'wasender') return 'WasenderApi numbers have no template catalog.';
  if (!n.waba_id) return 'Its business account is not known yet: it is learnt from the number’s first webhook (or set on the Numbers page).';
  return null;
}

/** "Synced Support: the provider listed 3 templates, 1 new." */
export function syncSummary(numberName: string, r: Pick<TemplateSyncOut, 'listed' | 'added'>): string {
  const listed = `${r.listed} template${r.listed === 1 ? '' : 's'}`;
  return `Synced ${numberName}: the provider listed ${listed}, ${r.added} new.`;
}

/** Templates sorted as the catalog shows them: by name, then language. */
export function sortTemplates(items: readonly TemplateOut[]): TemplateOut[] {
  return [...items].sort((a, b) => a.name.localeCompare(b.name) || a.language.localeCompare(b.language));
}

const PLACEHOLDER = /\{\{([^}]*)\}\}/g;

/**
 * The distinct `{{n}}` placeholders of a template body (`{{ 1 }}` is `1`),
 * in the order their parameters are sent: numerically for Meta's numbered
 * ones, else in order of first appearance.
 */
export function placeholders(body: string): string[] {
  const seen: string[] = [];
  for (const m of body.matchAll(PLACEHOLDER)) {
    const inner = m[1].trim();
    if (inner && !seen.includes(inner)) seen.push(inner);
  }
  return seen.every((p) => /^\d+$/.test(p)) ? seen.sort((a, b) => Number(a) - Number(b)) : seen;
}

/** The body with each placeholder replaced by its value (`values[i]` for `placeholders(body)[i]`); an empty value keeps `{{n}}`. */
export function fillPlaceholders(body: string, values: readonly string[]): string {
  const names = placeholders(body);
  return body.replace(PLACEHOLDER, (whole, inner: string) => {
    const v = values[names.indexOf(inner.trim())]?.trim();
    return v ? v : whole;
  });
}

/** Whether every one of `count` parameters has a value. */
export function parametersFilled(values: readonly string[], count: number): boolean {
  return values.length >= count && values.slice(0, count).every((v) => v.trim() !== '');
}

/** Templates whose name, language, category or body contains every word of `query` (any case). */
export function matchTemplates(items: readonly TemplateOut[], query: string): TemplateOut[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...items];
  return items.filter((t) => {
    const hay = [t.name, t.language, t.category ?? '', templateBody(t.components) ?? ''].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
