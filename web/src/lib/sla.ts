// SLA policies and the inbox's SLA badge: what a conversation's running
// clock shows ("due in 4m", amber when about to breach, red once breached),
// a policy's scope and targets as the admin page lists them, and the form's
// fields as the API's body. Rules: docs/reports.md, "SLA policies".
import type { components } from '../api/schema';

export type Sla = components['schemas']['SlaOut'];
export type SlaPolicy = components['schemas']['SlaPolicyOut'];
export type SlaPolicyIn = components['schemas']['SlaPolicyIn'];

export type SlaBadge = { text: string; tone: 'neutral' | 'warning' | 'breached'; title: string };

const TARGETS: Record<string, string> = {
  first_response: 'First response',
  next_response: 'Next response',
  resolution: 'Resolution',
};

/** A target's name as people read it ("First response"). */
export function targetName(target: string): string {
  return TARGETS[target] ?? target;
}

/** Time left, short: "45s", "4m", "2h 5m", "3d". */
export function dueIn(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

/**
 * The list's badge for a conversation's SLA at `now`: red "SLA breached"
 * when the API says so or the due time passed (the server records it within
 * one sweep), amber "due in …" when about to breach, neutral before; null
 * without a running clock.
 */
export function slaBadge(sla: Sla | undefined | null, now: Date): SlaBadge | null {
  if (!sla) return null;
  const left = Date.parse(sla.due_at) - now.getTime();
  const what = targetName(sla.breach ?? sla.target);
  if (sla.state === 'breached' || left < 0) {
    return { text: 'SLA breached', tone: 'breached', title: `${what} was due ${new Date(sla.due_at).toLocaleString()}` };
  }
  return {
    text: `due in ${dueIn(left)}`,
    tone: sla.state === 'warning' ? 'warning' : 'neutral',
    title: `${what} due ${new Date(sla.due_at).toLocaleString()}`,
  };
}

/** Where a policy applies, by names: "Care · VIP · +49 …", or "Every conversation". */
export function scopeText(p: SlaPolicy, names: { teams: Map<number, string>; labels: Map<number, string>; numbers: Map<number, string> }): string {
  const parts = [
    p.team_id != null ? `Team ${names.teams.get(p.team_id) ?? `#${p.team_id}`}` : null,
    p.label_id != null ? `Label ${names.labels.get(p.label_id) ?? `#${p.label_id}`}` : null,
    p.business_number_id != null ? `Number ${names.numbers.get(p.business_number_id) ?? `#${p.business_number_id}`}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : 'Every conversation';
}

/** The form's fields (strings as typed; seconds) as the API's body, or the first field at fault. */
export type PolicyFields = {
  name: string; team: string; label: string; number: string;
  first: string; next: string; resolution: string; warn: string; enabled: boolean;
  /** `wall`, or `business`: the targets count only the team's business hours. */
  clock: 'wall' | 'business';
};

export function policyBody(f: PolicyFields): { body: SlaPolicyIn } | { field: string; error: string } {
  const id = (v: string) => (v === '' ? undefined : Number(v));
  const secs = (v: string, field: string, min: number): number | undefined | { field: string; error: string } => {
    const t = v.trim();
    if (t === '') return undefined;
    const n = Number(t);
    if (!Number.isInteger(n) || n < min) return { field, error: `${field}: a whole number of seconds, at least ${min}` };
    return n;
  };
  if (!f.name.trim()) return { field: 'name', error: 'name: must not be blank' };
  const first = secs(f.first, 'first response', 1);
  const next = secs(f.next, 'next response', 1);
  const resolution = secs(f.resolution, 'resolution', 1);
  const warn = secs(f.warn, 'warn before', 0);
  for (const v of [first, next, resolution, warn]) if (typeof v === 'object') return v;
  if (first === undefined && next === undefined && resolution === undefined) {
    return { field: 'first response', error: 'Set at least one target: first response, next response or resolution.' };
  }
  return {
    body: {
      name: f.name.trim(), team_id: id(f.team), label_id: id(f.label), business_number_id: id(f.number),
      first_response_secs: first as number | undefined, next_response_secs: next as number | undefined,
      resolution_secs: resolution as number | undefined, warn_before_secs: warn as number | undefined, enabled: f.enabled,
      clock: f.clock,
    },
  };
}
