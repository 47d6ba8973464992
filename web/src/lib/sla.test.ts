import { describe, expect, it } from 'vitest';
import { dueIn, policyBody, scopeText, slaBadge, type PolicyFields, type Sla, type SlaPolicy } from './sla';

const now = new Date('2026-12-05T10:00:00Z');
const sla = (over: Partial<Sla>): Sla => ({ policy_id: 1, target: 'first_response', due_at: '2026-12-05T10:04:00Z', state: 'ok', ...over });

describe('slaBadge', () => {
  it('is absent without a running clock', () => {
    expect(slaBadge(undefined, now)).toBeNull();
  });
  it('says the time left, neutral, then amber when about to breach', () => {
    expect(slaBadge(sla({}), now)).toMatchObject({ text: 'due in 4m', tone: 'neutral' });
    expect(slaBadge(sla({ state: 'warning', due_at: '2026-12-05T10:00:30Z' }), now)).toMatchObject({ text: 'due in 30s', tone: 'warning' });
  });
  it('turns red once breached, by the API or because the due time passed', () => {
    expect(slaBadge(sla({ state: 'breached', breach: 'first_response' }), now)).toMatchObject({ text: 'SLA breached', tone: 'breached' });
    expect(slaBadge(sla({ due_at: '2026-12-05T09:59:59Z' }), now)).toMatchObject({ text: 'SLA breached', tone: 'breached' });
    expect(slaBadge(sla({ due_at: '2026-12-05T10:00:00Z' }), now)).toMatchObject({ text: 'due in 0s', tone: 'neutral' });
  });
});

describe('dueIn', () => {
  it('is short', () => {
    expect([dueIn(59_999), dueIn(60_000), dueIn(3_600_000), dueIn(3_900_000), dueIn(90_000_000)]).toEqual(['59s', '1m', '1h', '1h 5m', '1d']);
  });
});

const fields = (over: Partial<PolicyFields>): PolicyFields => ({
  name: 'Care', team: '', label: '', number: '', first: '', next: '', resolution: '', warn: '', enabled: true, clock: 'wall', ...over,
});

describe('policyBody', () => {
  it('turns the fields into the body, empty ones absent', () => {
    expect(policyBody(fields({ name: ' Care ', team: '3', first: '120', warn: '0' }))).toEqual({
      body: {
        name: 'Care', team_id: 3, label_id: undefined, business_number_id: undefined, first_response_secs: 120,
        next_response_secs: undefined, resolution_secs: undefined, warn_before_secs: 0, enabled: true, clock: 'wall',
      },
    });
    expect(policyBody(fields({ first: '3600', clock: 'business' }))).toMatchObject({ body: { clock: 'business' } });
  });
  it('names the field at fault', () => {
    expect(policyBody(fields({ name: ' ' }))).toMatchObject({ field: 'name' });
    expect(policyBody(fields({}))).toMatchObject({ field: 'first response' });
    expect(policyBody(fields({ first: '0' }))).toMatchObject({ field: 'first response' });
    expect(policyBody(fields({ first: '10', resolution: '1.5' }))).toMatchObject({ field: 'resolution' });
  });
});

describe('scopeText', () => {
  const names = { teams: new Map([[1, 'Care']]), labels: new Map([[2, 'VIP']]), numbers: new Map<number, string>() };
  const policy = (over: Partial<SlaPolicy>): SlaPolicy => ({
    id: 1, name: 'p', enabled: true, clock: 'wall', created_at: '', updated_at: '', ...over,
  });
  it('names the scopes, or every conversation', () => {
    expect(scopeText(policy({}), names)).toBe('Every conversation');
    expect(scopeText(policy({ team_id: 1, label_id: 2, business_number_id: 9 }), names)).toBe('Team Care · Label VIP · Number #9');
  });
});
