import { describe, expect, it } from 'vitest';
import {
  actionSummary, adminErrorText, auditMatches, conditionsSummary, dryRunSummary, EMPTY_RULE_FORM, moveId, parseList,
  numberPatch, ruleBody, ruleForm, secretsState, sortRules, strategyLabel,
} from './admin';

const teams = [{ id: 1, name: 'Billing' }, { id: 2, name: 'Support' }];
const rule = (over: object = {}) => ({
  id: 7, name: 'VIP refunds', position: 0, enabled: true,
  conditions: { keywords: ['refund'], tiers: ['vip'], languages: [], business_numbers: [],
    hours: { time_zone: 'Europe/Berlin', from: '09:00', to: '17:00', days: [], inside: true } },
  action: { type: 'team' as const, team_id: 1, priority: 2 },
  created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', ...over,
});

describe('parseList', () => {
  it('trims, drops empty parts and repeats', () => {
    expect(parseList(' en, pt ,, de,en ')).toEqual(['en', 'pt', 'de']);
    expect(parseList('')).toEqual([]);
  });
});

describe('moveId', () => {
  it('swaps with the neighbour', () => {
    expect(moveId([1, 2, 3], 1, -1)).toEqual([2, 1, 3]);
    expect(moveId([1, 2, 3], 1, 1)).toEqual([1, 3, 2]);
  });
  it('refuses to move past either end and leaves the input alone', () => {
    const ids = [1, 2, 3];
    expect(moveId(ids, 0, -1)).toBeNull();
    expect(moveId(ids, 2, 1)).toBeNull();
    expect(moveId(ids, 5, -1)).toBeNull();
    expect(ids).toEqual([1, 2, 3]);
  });
});

describe('sortRules', () => {
  it('orders by position, ties by id', () => {
    const r = sortRules([{ id: 3, position: 1 }, { id: 2, position: 1 }, { id: 9, position: 0 }]);
    expect(r.map((x) => x.id)).toEqual([9, 2, 3]);
  });
});

describe('rule forms', () => {
  it('round-trips a rule and keeps what the form does not edit (business hours)', () => {
    const r = rule();
    const res = ruleBody(ruleForm(r), r);
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.body.name).toBe('VIP refunds');
    expect(res.body.conditions?.keywords).toEqual(['refund']);
    expect(res.body.conditions?.tiers).toEqual(['vip']);
    expect(res.body.conditions?.hours?.time_zone).toBe('Europe/Berlin');
    expect(res.body.action).toEqual({ type: 'team', team_id: 1, priority: 2 });
  });
  it('names the field that is wrong', () => {
    expect(ruleBody({ ...EMPTY_RULE_FORM, teamId: '1' })).toMatchObject({ ok: false, field: 'name' });
    expect(ruleBody({ ...EMPTY_RULE_FORM, name: 'x' })).toMatchObject({ ok: false, field: 'teamId' });
    expect(ruleBody({ ...EMPTY_RULE_FORM, name: 'x', teamId: '1', priority: '1.5' })).toMatchObject({ ok: false, field: 'priority' });
  });
  it('builds a bot action and drops an emptied regex', () => {
    const r = rule({ conditions: { regex: 'order \\d+' } });
    const res = ruleBody({ ...ruleForm(r), regex: ' ', actionType: 'bot', botFallback: 'Hi!', handoverKeywords: 'human, agent', handoverTeamId: '2' }, r);
    expect(res.ok && res.body.conditions?.regex).toBe(undefined);
    expect(res.ok && res.body.action).toEqual({ type: 'bot', priority: 0, bot: { replies: [], fallback: 'Hi!', handover_keywords: ['human', 'agent'], handover_team_id: 2, handover_priority: 0, webhook: false } });
  });
});

describe('business hours and canned replies in the rule form', () => {
  it('reads a rule\'s hours into the form and writes edited ones back', () => {
    const r = rule({ conditions: { hours: { time_zone: 'Europe/Berlin', from: '22:00', to: '06:00', days: [5, 1], inside: false } } });
    const form = ruleForm(r);
    expect([form.hoursOn, form.hoursTimeZone, form.hoursFrom, form.hoursTo, form.hoursDays, form.hoursInside])
      .toEqual([true, 'Europe/Berlin', '22:00', '06:00', [1, 5], false]);
    const res = ruleBody({ ...form, hoursTimeZone: ' America/Sao_Paulo ', hoursDays: [3, 1, 3], hoursInside: true }, r);
    expect(res.ok && res.body.conditions?.hours).toEqual({ time_zone: 'America/Sao_Paulo', days: [1, 3], from: '22:00', to: '06:00', inside: true });
  });
  it('drops the hours when switched off, and refuses bad ones', () => {
    const r = rule();
    const off = ruleBody({ ...ruleForm(r), hoursOn: false }, r);
    expect(off.ok && off.body.conditions?.hours).toBe(undefined);
    const on = { ...EMPTY_RULE_FORM, name: 'x', teamId: '1', hoursOn: true, hoursTimeZone: 'Europe/Berlin' };
    expect(ruleBody(on).ok).toBe(true);
    expect(ruleBody({ ...on, hoursTimeZone: 'Mars/Olympus' })).toMatchObject({ ok: false, field: 'hoursTimeZone' });
    expect(ruleBody({ ...on, hoursTimeZone: '' })).toMatchObject({ ok: false, field: 'hoursTimeZone' });
    expect(ruleBody({ ...on, hoursFrom: '24:00' })).toMatchObject({ ok: false, field: 'hoursFrom' });
    expect(ruleBody({ ...on, hoursTo: '9:00' })).toMatchObject({ ok: false, field: 'hoursTo' });
    expect(ruleBody({ ...on, hoursTo: '09:00' })).toMatchObject({ ok: false, field: 'hoursTo' });
  });
  it('edits canned replies in order, skipping empty rows and refusing half-filled ones', () => {
    const r = rule({ action: { type: 'bot', priority: 0, bot: { replies: [{ keyword: 'price', text: 'From 10 €' }], handover_keywords: [] } } });
    const form = ruleForm(r);
    expect(form.botReplies).toEqual([{ keyword: 'price', text: 'From 10 €' }]);
    const res = ruleBody({ ...form, botReplies: [...form.botReplies, { keyword: ' hours ', text: ' 9 to 5 ' }, { keyword: '', text: ' ' }] }, r);
    expect(res.ok && res.body.action.bot?.replies).toEqual([{ keyword: 'price', text: 'From 10 €' }, { keyword: 'hours', text: '9 to 5' }]);
    expect(ruleBody({ ...form, botReplies: [{ keyword: 'price', text: '' }] }, r)).toMatchObject({ ok: false, field: 'botReplies' });
    const none = ruleBody({ ...form, botReplies: [] }, r);
    expect(none.ok && none.body.action.bot?.replies).toEqual([]);
  });
});

describe('summaries', () => {
  it('describes conditions and actions', () => {
    expect(conditionsSummary(rule().conditions)).toBe('keywords refund · tier vip · within 09:00–17:00 Europe/Berlin');
    expect(conditionsSummary({})).toBe('every message');
    expect(conditionsSummary({ business_numbers: ['1023', '77'] }, (id) => (id === '1023' ? 'Sales (+1\u00a05550100)' : id)))
      .toBe('number Sales (+1\u00a05550100), 77');
    expect(actionSummary({ type: 'team', team_id: 1, priority: 2 }, teams)).toBe('Queue for Billing (priority 2)');
    expect(actionSummary({ type: 'team', team_id: 5 }, teams)).toBe('Queue for team #5');
    expect(actionSummary({ type: 'bot', bot: { handover_team_id: 2 } }, teams)).toBe('Bot, hands over to Support');
  });
  it('says which rule a dry run hits, or that none does', () => {
    expect(dryRunSummary({ matched: true, rule: rule(), outcome: { type: 'queue', team_id: 1, priority: 2 }, rules_evaluated: 2, language: 'en' }, teams))
      .toBe('Rule “VIP refunds” would hit. It would be queued for Billing at priority 2. 2 enabled rules evaluated. Language: en.');
    expect(dryRunSummary({ matched: false, rules_evaluated: 1 }, teams)).toMatch(/^No rule matches.*1 enabled rule evaluated\.$/);
  });
  it('explains 403 and 409', () => {
    expect(adminErrorText(403, 'forbidden', 'x')).toMatch(/Only admins/);
    expect(adminErrorText(409, '2 open conversation(s) are assigned to this agent; transfer them first', 'x'))
      .toBe('Not possible right now: 2 open conversation(s) are assigned to this agent; transfer them first.');
    expect(adminErrorText(500, undefined, 'Could not load')).toBe('Could not load');
    expect(strategyLabel('least_loaded')).toBe('Least loaded');
  });
});

describe('auditMatches', () => {
  it('matches actor or action, case-insensitively', () => {
    const e = { actor: 'agent:1', action: 'routing_rule.reorder' };
    expect(auditMatches(e, '')).toBe(true);
    expect(auditMatches(e, ' AGENT:1 ')).toBe(true);
    expect(auditMatches(e, 'reorder')).toBe(true);
    expect(auditMatches(e, 'token:')).toBe(false);
  });
});

describe('business numbers', () => {
  const before = {
    id: 1, provider: 'meta', phone_number_id: '1055', display_phone: '+1 555 0100', name: 'Support',
    has_app_secret: true, has_verify_token: false, has_access_token: true,
    csat: { enabled: false, question: 'How would you rate the help you got from us today?', custom_question: false, window_secs: 86_400 },
    created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z',
  };
  const form = { provider: 'meta' as const, phoneNumberId: '1055', displayPhone: '+1 555 0100', name: 'Support', apiBaseUrl: '', appSecret: '', verifyToken: '', accessToken: '' };
  it('sends nothing when nothing changed: empty secret boxes keep the stored secrets', () => {
    expect(numberPatch(form, before)).toEqual({});
  });
  it('sends changed fields and typed secrets only', () => {
    expect(numberPatch({ ...form, name: ' Sales ', verifyToken: 'vt-1', apiBaseUrl: 'https://graph.example.com' }, before))
      .toEqual({ name: 'Sales', verify_token: 'vt-1', api_base_url: 'https://graph.example.com' });
  });
  it('sends a changed business account id, and keeps the learnt one when the box is left as it was or empty', () => {
    expect(numberPatch({ ...form, wabaId: ' 102290129340398 ' }, before)).toEqual({ waba_id: '102290129340398' });
    expect(numberPatch({ ...form, wabaId: '102290129340398' }, { ...before, waba_id: '102290129340398' })).toEqual({});
    expect(numberPatch({ ...form, wabaId: '' }, { ...before, waba_id: '102290129340398' })).toEqual({});
  });
  it('says whether secrets are set, never what they are', () => {
    expect(secretsState(before)).toBe('app secret set · verify token not set · access token set');
  });
});
