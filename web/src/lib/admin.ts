// Logic of the admin pages without UI: comma lists, the rule order, rule
// forms to and from the API's shape, summaries, and what to say on a 403/409.
import type { components } from '../api/schema';

type RuleIn = components['schemas']['RuleIn'];
type RuleOut = components['schemas']['RuleOut'];
type RuleConditions = components['schemas']['RuleConditions'];
type RuleAction = components['schemas']['RuleAction'];
type DryRunOut = components['schemas']['DryRunOut'];
/** An action as read, with the generated defaults optional. */
type LooseAction = { type: RuleAction['type']; team_id?: number; priority?: number; bot?: { handover_team_id?: number } };

/** "en, pt  ,,de" → ["en", "pt", "de"]: trimmed, empty parts and repeats dropped. */
export function parseList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const v = part.trim();
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

/** The inverse of `parseList`, for an input's value. */
export function joinList(items: readonly string[] | undefined): string {
  return (items ?? []).join(', ');
}

/**
 * The ids in their new order after moving the one at `index` one place up
 * (-1) or down (+1); `null` when it cannot move that way.
 */
export function moveId(ids: readonly number[], index: number, direction: -1 | 1): number[] | null {
  const to = index + direction;
  if (index < 0 || index >= ids.length || to < 0 || to >= ids.length) return null;
  const next = [...ids];
  [next[index], next[to]] = [next[to], next[index]];
  return next;
}

/** Rules in evaluation order: position ascending, ties by id (as the router). */
export function sortRules<T extends { id: number; position: number }>(rules: readonly T[]): T[] {
  return [...rules].sort((a, b) => a.position - b.position || a.id - b.id);
}

/** The editable fields of a rule, as the form holds them (lists as text). */
export type RuleForm = {
  name: string;
  enabled: boolean;
  keywords: string;
  regex: string;
  tiers: string;
  languages: string;
  businessNumbers: string;
  actionType: 'team' | 'bot';
  teamId: string;
  priority: string;
  botFallback: string;
  handoverKeywords: string;
  handoverTeamId: string;
  /** Canned replies, in order (the first whose keyword is in the text answers). */
  botReplies: { keyword: string; text: string }[];
  /** Business hours: only when `hoursOn`. */
  hoursOn: boolean;
  hoursTimeZone: string;
  hoursFrom: string;
  hoursTo: string;
  /** ISO weekdays, 1 = Monday; none means every day. */
  hoursDays: number[];
  hoursInside: boolean;
};

/** ISO weekdays with their short names, Monday first. */
export const WEEKDAYS = [[1, 'Mon'], [2, 'Tue'], [3, 'Wed'], [4, 'Thu'], [5, 'Fri'], [6, 'Sat'], [7, 'Sun']] as const;

/** Whether `tz` is an IANA time zone this browser knows. */
export function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Hours as a form holds them (business hours of a rule, a campaign's send window). */
export type HoursForm = { timeZone: string; from: string; to: string; days: number[] };

/**
 * Hours as the API takes them (`time_zone`, `days`, `from`, `to`), or the
 * field that is wrong and why: the one check of hours in the dashboard.
 */
export function hoursOf(h: HoursForm):
  | { hours: { time_zone: string; days: number[]; from: string; to: string } }
  | { field: 'timeZone' | 'from' | 'to'; error: string } {
  const tz = h.timeZone.trim();
  if (!tz || !knownTimeZone(tz)) return { field: 'timeZone', error: 'Give a time zone such as Europe/Berlin.' };
  if (!HHMM.test(h.from)) return { field: 'from', error: 'The hours start at a time as HH:MM.' };
  if (!HHMM.test(h.to)) return { field: 'to', error: 'The hours end at a time as HH:MM.' };
  if (h.from === h.to) return { field: 'to', error: 'The hours must end at another time than they start.' };
  const days = [...new Set(h.days)].filter((d) => d >= 1 && d <= 7).sort((x, y) => x - y);
  return { hours: { time_zone: tz, days, from: h.from, to: h.to } };
}

export const EMPTY_RULE_FORM: RuleForm = {
  name: '', enabled: true, keywords: '', regex: '', tiers: '', languages: '', businessNumbers: '',
  actionType: 'team', teamId: '', priority: '0', botFallback: '', handoverKeywords: '', handoverTeamId: '', botReplies: [],
  hoursOn: false, hoursTimeZone: '', hoursFrom: '09:00', hoursTo: '17:00', hoursDays: [], hoursInside: true,
};

/** The form for an existing rule (fields the form does not edit are kept by `ruleBody`). */
export function ruleForm(rule: RuleOut): RuleForm {
  const c = rule.conditions;
  const a = rule.action;
  return {
    name: rule.name,
    enabled: rule.enabled,
    keywords: joinList(c.keywords),
    regex: c.regex ?? '',
    tiers: joinList(c.tiers),
    languages: joinList(c.languages),
    businessNumbers: joinList(c.business_numbers),
    actionType: a.type,
    teamId: a.team_id !== undefined ? String(a.team_id) : '',
    priority: String(a.priority ?? 0),
    botFallback: a.bot?.fallback ?? '',
    handoverKeywords: joinList(a.bot?.handover_keywords),
    handoverTeamId: a.bot?.handover_team_id !== undefined ? String(a.bot.handover_team_id) : '',
    botReplies: (a.bot?.replies ?? []).map((r) => ({ keyword: r.keyword, text: r.text })),
    hoursOn: c.hours !== undefined,
    hoursTimeZone: c.hours?.time_zone ?? '',
    hoursFrom: c.hours?.from ?? '09:00',
    hoursTo: c.hours?.to ?? '17:00',
    hoursDays: [...(c.hours?.days ?? [])].sort((x, y) => x - y),
    hoursInside: c.hours?.inside ?? true,
  };
}

export type RuleBody = { ok: true; body: RuleIn } | { ok: false; field: keyof RuleForm; message: string };

/**
 * The API body for a form, or which field is wrong. `base` is the rule being
 * edited: conditions and bot settings the form does not show (business
 * hours, canned replies) are kept as they were.
 */
export function ruleBody(form: RuleForm, base?: RuleOut): RuleBody {
  const name = form.name.trim();
  if (!name) return { ok: false, field: 'name', message: 'Give the rule a name.' };
  const priority = form.priority.trim() === '' ? 0 : Number(form.priority);
  if (!Number.isInteger(priority)) return { ok: false, field: 'priority', message: 'Priority must be a whole number.' };
  const conditions: RuleConditions = {
    ...(base?.conditions ?? {}),
    keywords: parseList(form.keywords),
    tiers: parseList(form.tiers),
    languages: parseList(form.languages),
    business_numbers: parseList(form.businessNumbers),
  };
  const regex = form.regex.trim();
  if (regex) conditions.regex = regex; else delete conditions.regex;
  if (form.hoursOn) {
    const hours = hoursOf({ timeZone: form.hoursTimeZone, from: form.hoursFrom, to: form.hoursTo, days: form.hoursDays });
    if ('error' in hours) {
      const field = ({ timeZone: 'hoursTimeZone', from: 'hoursFrom', to: 'hoursTo' } as const)[hours.field];
      return { ok: false, field, message: hours.error };
    }
    conditions.hours = { ...hours.hours, inside: form.hoursInside };
  } else {
    delete conditions.hours;
  }
  let action: RuleAction;
  if (form.actionType === 'team') {
    if (!form.teamId) return { ok: false, field: 'teamId', message: 'Choose the team to queue for.' };
    action = { type: 'team', team_id: Number(form.teamId), priority };
  } else {
    const prev = base?.action.bot;
    const replies = form.botReplies
      .map((r) => ({ keyword: r.keyword.trim(), text: r.text.trim() }))
      .filter((r) => r.keyword || r.text);
    if (replies.some((r) => !r.keyword || !r.text)) {
      return { ok: false, field: 'botReplies', message: 'Each canned reply needs a keyword and a text.' };
    }
    const bot: NonNullable<RuleAction['bot']> = {
      ...prev, replies, handover_keywords: [], handover_priority: prev?.handover_priority ?? 0, webhook: prev?.webhook ?? false,
    };
    const fallback = form.botFallback.trim();
    if (fallback) bot.fallback = fallback; else delete bot.fallback;
    bot.handover_keywords = parseList(form.handoverKeywords);
    if (form.handoverTeamId) bot.handover_team_id = Number(form.handoverTeamId); else delete bot.handover_team_id;
    action = { type: 'bot', priority: 0, bot };
  }
  return { ok: true, body: { name, enabled: form.enabled, conditions, action } };
}

/** "keywords refund, money · tier vip" — or "every message". `numberName` names a business number by its id. */
export function conditionsSummary(c: Partial<RuleConditions>, numberName: (id: string) => string = (id) => id): string {
  const parts: string[] = [];
  if (c.keywords?.length) parts.push(`keywords ${c.keywords.join(', ')}`);
  if (c.regex) parts.push(`matches /${c.regex}/`);
  if (c.tiers?.length) parts.push(`tier ${c.tiers.join(', ')}`);
  if (c.languages?.length) parts.push(`language ${c.languages.join(', ')}`);
  if (c.business_numbers?.length) parts.push(`number ${c.business_numbers.map(numberName).join(', ')}`);
  if (c.hours) {
    const days = c.hours.days?.length ? ` days ${c.hours.days.join(',')}` : '';
    parts.push(`${c.hours.inside === false ? 'outside' : 'within'} ${c.hours.from}–${c.hours.to} ${c.hours.time_zone}${days}`);
  }
  return parts.length ? parts.join(' · ') : 'every message';
}

/** A team's name by id, or "team #3" when it is not (or no longer) known. */
export function teamName(teams: readonly { id: number; name: string }[], id: number | undefined): string {
  if (id === undefined) return 'no team';
  return teams.find((t) => t.id === id)?.name ?? `team #${id}`;
}

/** "Queue for Billing (priority 2)" or "Bot, hands over to Support". */
export function actionSummary(a: LooseAction, teams: readonly { id: number; name: string }[]): string {
  if (a.type === 'team') {
    return `Queue for ${teamName(teams, a.team_id)}${a.priority ? ` (priority ${a.priority})` : ''}`;
  }
  const to = a.bot?.handover_team_id;
  return to !== undefined ? `Bot, hands over to ${teamName(teams, to)}` : 'Bot';
}

/** One sentence on a dry run's result. */
export function dryRunSummary(r: DryRunOut, teams: readonly { id: number; name: string }[]): string {
  const lang = r.language ? ` Language: ${r.language}.` : '';
  const evaluated = `${r.rules_evaluated} enabled rule${r.rules_evaluated === 1 ? '' : 's'} evaluated.`;
  if (!r.matched || !r.rule) return `No rule matches: the conversation stays with the bot, unrouted. ${evaluated}${lang}`;
  const o = r.outcome;
  const what = !o ? '' : o.type === 'queue'
    ? ` It would be queued for ${teamName(teams, o.team_id)}${o.priority ? ` at priority ${o.priority}` : ''}.`
    : ` The bot would answer${o.reply ? `: “${o.reply}”` : ' (no canned reply matches)'}.`;
  return `Rule “${r.rule.name}” would hit.${what} ${evaluated}${lang}`;
}

/** What to say when a load or change failed with `status`, given the API's `detail`. */
export function adminErrorText(status: number | undefined, detail: string | undefined, fallback: string): string {
  if (status === 403) return 'Only admins can see and change this. Ask an admin if you need access.';
  if (status === 409 && detail) return `Not possible right now: ${detail}.`;
  return detail || fallback;
}

export const PRESENCES = ['online', 'away', 'offline'] as const;
export const STRATEGIES = [
  { value: 'round_robin', label: 'Round robin' },
  { value: 'least_loaded', label: 'Least loaded' },
  { value: 'manual', label: 'Manual' },
] as const;

/** The label of a team strategy. */
export function strategyLabel(value: string): string {
  return STRATEGIES.find((s) => s.value === value)?.label ?? value;
}

/** The audit log's target types, as the API records them. */
export const AUDIT_TARGET_TYPES = [
  { value: 'agent', label: 'Agents' },
  { value: 'team', label: 'Teams' },
  { value: 'routing_rule', label: 'Routing rules' },
  { value: 'api_token', label: 'API tokens' },
  { value: 'business_number', label: 'Business numbers' },
  { value: 'contact', label: 'Contacts' },
  { value: 'conversation', label: 'Conversations' },
] as const;

/** Whether an audit entry's actor or action contains `text` (case-insensitive; empty matches all). */
export function auditMatches(entry: { actor: string; action: string }, text: string): boolean {
  const q = text.trim().toLowerCase();
  return !q || entry.actor.toLowerCase().includes(q) || entry.action.toLowerCase().includes(q);
}

/** A business number's form: secrets start empty and are sent only when typed. */
export type NumberForm = {
  provider: 'meta' | 'wasender' | 'sandbox';
  phoneNumberId: string;
  displayPhone: string;
  name: string;
  apiBaseUrl: string;
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  /** The WhatsApp Business Account id (editable on an existing number; learnt from webhooks otherwise). */
  wabaId?: string;
};

type NumberOut = components['schemas']['NumberOut'];
type NumberPatch = components['schemas']['NumberPatch'];

/**
 * The PATCH body for an edited number: the plain fields that changed, and a
 * secret only when one was typed (an empty box keeps the stored secret).
 */
export function numberPatch(form: NumberForm, before: NumberOut): NumberPatch {
  const body: NumberPatch = {};
  if (form.name.trim() !== before.name) body.name = form.name.trim();
  if (form.displayPhone.trim() !== before.display_phone) body.display_phone = form.displayPhone.trim();
  const base = form.apiBaseUrl.trim();
  if (base && base !== (before.api_base_url ?? '')) body.api_base_url = base;
  const waba = (form.wabaId ?? '').trim();
  if (waba && waba !== (before.waba_id ?? '')) body.waba_id = waba;
  if (form.appSecret) body.app_secret = form.appSecret;
  if (form.verifyToken) body.verify_token = form.verifyToken;
  if (form.accessToken) body.access_token = form.accessToken;
  return body;
}

/** "app secret set · verify token not set · …": what is stored, never the value. */
export function secretsState(n: Pick<NumberOut, 'has_app_secret' | 'has_verify_token' | 'has_access_token'>): string {
  return ([['app secret', n.has_app_secret], ['verify token', n.has_verify_token], ['access token', n.has_access_token]] as const)
    .map(([k, v]) => `${k} ${v ? 'set' : 'not set'}`).join(' · ');
}
