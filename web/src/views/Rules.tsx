// Routing rules (admins): the ordered list (first match wins), moved up or
// down with one all-or-nothing reorder call; create and edit conditions and
// action; and a "test a message" dry run that shows which rule would hit.
import { useEffect, useState, type FormEvent } from 'react';
import { labelForNumber } from '../lib/numbers';
import type { Api } from '../api/client';
import type { components } from '../api/schema';
import {
  actionSummary, conditionsSummary, dryRunSummary, EMPTY_RULE_FORM, moveId, ruleBody, ruleForm, sortRules, type RuleForm,
} from '../lib/admin';
import { call, Notice, States, useLoaded } from './adminKit';
import { ConfirmDialog, useDialog } from './Dialog';
import { HoursFields, type HoursValue } from './HoursFields';

type RuleOut = components['schemas']['RuleOut'];
type TeamOut = components['schemas']['TeamOut'];
type NumberOut = components['schemas']['NumberOut'];
type DryRunOut = components['schemas']['DryRunOut'];

export function Rules({ api }: { api: Api }) {
  const rules = useLoaded<RuleOut[]>(api, () => api.GET('/api/v1/rules'), 'Could not load the routing rules');
  const teams = useLoaded<TeamOut[]>(api, () => api.GET('/api/v1/teams'), 'Could not load the teams');
  const numbers = useLoaded<NumberOut[]>(api, () => api.GET('/api/v1/numbers'), 'Could not load the business numbers');
  const [editing, setEditing] = useState<RuleOut | 'new' | null>(null);
  const [notice, setNotice] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [hit, setHit] = useState<number | null>(null);
  const [refocus, setRefocus] = useState<{ id: number; button: 'up' | 'down' } | null>(null);
  const teamList = teams.data ?? [];
  const ordered = sortRules(rules.data ?? []);

  const move = async (index: number, direction: -1 | 1) => {
    const ids = moveId(ordered.map((r) => r.id), index, direction);
    if (!ids) return;
    const moved = ordered[index];
    setBusy(true);
    const r = await call(() => api.POST('/api/v1/rules/reorder', { body: { ids } }), 'Could not reorder the rules');
    setBusy(false);
    if (r.error || !r.data) {
      setNotice({ ok: false, text: `${r.error ?? 'Could not reorder the rules.'} The order was not changed; it has been reloaded.` });
      await rules.reload();
    } else {
      // The answer is the whole list in its new order.
      rules.set(r.data);
      setNotice({ ok: true, text: `“${moved.name}” is now rule ${index + direction + 1}.` });
    }
    setRefocus({ id: moved.id, button: direction < 0 ? 'up' : 'down' });
  };
  // Keep the keyboard with the moved rule once the new order is on screen:
  // on the same button, or on Edit when it reached the end.
  useEffect(() => {
    if (!refocus) return;
    const again = document.getElementById(`rule-${refocus.id}-${refocus.button}`) as HTMLButtonElement | null;
    if (again && !again.disabled) again.focus(); else document.getElementById(`rule-${refocus.id}-edit`)?.focus();
    setRefocus(null);
  }, [refocus, rules.data]);
  const [deleting, setDeleting] = useState<RuleOut | null>(null);
  const remove = async (rule: RuleOut) => {
    setBusy(true);
    const r = await call(() => api.DELETE('/api/v1/rules/{id}', { params: { path: { id: rule.id } } }), 'Could not delete the rule');
    setBusy(false);
    setDeleting(null);
    setNotice(r.error ? { ok: false, text: r.error } : { ok: true, text: `Rule “${rule.name}” was deleted.` });
    void rules.reload();
  };

  return (
    <div className="system">
      <div className="page-head">
        <h1>Routing rules</h1>
        <button type="button" className="primary" onClick={() => { setEditing('new'); setNotice(null); }}>New rule</button>
      </div>
      <p className="muted small">Each new conversation goes through the enabled rules from the top; the first whose conditions all hold decides.</p>
      <Notice notice={notice} />
      {editing && (
        <RuleEditor key={editing === 'new' ? 'new' : editing.id} api={api} rule={editing === 'new' ? null : editing} teams={teamList}
          numbers={numbers.data ?? []}
          onDone={(text) => { setEditing(null); if (text) { setNotice({ ok: true, text }); void rules.reload(); } }} />
      )}
      {deleting && (
        <ConfirmDialog label="Confirm deletion" onCancel={() => setDeleting(null)}>
          <p>Delete the rule “{deleting.name}”? Conversations it would route fall through to the next matching rule.</p>
          <div className="row">
            <button type="button" className="primary danger" disabled={busy} onClick={() => void remove(deleting)}>Delete {deleting.name}</button>
            <button type="button" className="ghost" onClick={() => setDeleting(null)} data-autofocus>Cancel</button>
          </div>
        </ConfirmDialog>
      )}
      <States label="Rules in order" loaded={rules} empty={ordered.length === 0} emptyText="No routing rules yet: new conversations stay with the bot, unrouted. Create one with “New rule”.">
        <ol className="rule-list" data-testid="rule-list">
          {ordered.map((r, i) => (
            <li key={r.id} className={`rule${r.id === hit ? ' hit' : ''}${r.enabled ? '' : ' disabled'}`} data-rule-name={r.name}>
              <span className="rule-pos" aria-hidden="true">{i + 1}</span>
              <div className="rule-main">
                <div className="rule-name">{r.name}{!r.enabled && <span className="status-pill">disabled</span>}{r.id === hit && <span className="status-pill s-resolved">would hit</span>}</div>
                <div className="muted small">{ruleLine(r, teamList, numbers.data ?? [])}</div>
              </div>
              <div className="rule-actions">
                <button type="button" className="ghost icon" id={`rule-${r.id}-up`} aria-label={`Move ${r.name} up`} disabled={busy || i === 0} onClick={() => void move(i, -1)}>↑</button>
                <button type="button" className="ghost icon" id={`rule-${r.id}-down`} aria-label={`Move ${r.name} down`} disabled={busy || i === ordered.length - 1} onClick={() => void move(i, 1)}>↓</button>
                <button type="button" className="link" id={`rule-${r.id}-edit`} aria-label={`Edit ${r.name}`} onClick={() => { setEditing(r); setNotice(null); }}>Edit</button>
                <button type="button" className="link danger" aria-label={`Delete ${r.name}`} onClick={() => setDeleting(r)}>Delete</button>
              </div>
            </li>))}
        </ol>
      </States>
      <DryRun api={api} teams={teamList} numbers={numbers.data ?? []} onResult={(r) => setHit(r?.rule?.id ?? null)} />
    </div>
  );
}

function RuleEditor({ api, rule, teams, numbers, onDone }: {
  api: Api; rule: RuleOut | null; teams: TeamOut[]; numbers: NumberOut[]; onDone: (text: string | null) => void;
}) {
  const [form, setForm] = useState<RuleForm>(rule ? ruleForm(rule) : { ...EMPTY_RULE_FORM, teamId: teams[0] ? String(teams[0].id) : '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<RuleForm>) => setForm((f) => ({ ...f, ...patch }));
  const ref = useDialog<HTMLFormElement>(() => onDone(null));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const built = ruleBody(form, rule ?? undefined);
    if (!built.ok) { setError(built.message); document.getElementById(`rule-form-${built.field}`)?.focus(); return; }
    setBusy(true);
    setError(null);
    const r = rule
      ? await call(() => api.PATCH('/api/v1/rules/{id}', { params: { path: { id: rule.id } }, body: built.body }), 'Could not save the rule')
      : await call(() => api.POST('/api/v1/rules', { body: built.body }), 'Could not create the rule');
    setBusy(false);
    if (r.error) setError(r.error); else onDone(rule ? `Rule “${built.body.name}” was saved.` : `Rule “${built.body.name}” was created (last in order).`);
  };

  const title = rule ? `Edit rule ${rule.name}` : 'New rule';
  const teamOptions = teams.map((t) => <option key={t.id} value={t.id}>{t.name}</option>);
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="form-grid">
        <label>Rule name<input id="rule-form-name" maxLength={200} value={form.name} onChange={(e) => set({ name: e.target.value })} autoFocus /></label>
        <label className="check"><input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} /> Enabled</label>
      </div>
      <fieldset>
        <legend>Conditions <small className="muted">(all given must hold; none matches every message)</small></legend>
        <div className="form-grid">
          <label>Keywords<input placeholder="refund, money back" value={form.keywords} onChange={(e) => set({ keywords: e.target.value })} />
            <small>Any of these whole words, comma-separated.</small></label>
          <label>Regular expression<input placeholder="order\s*#?\d+" value={form.regex} onChange={(e) => set({ regex: e.target.value })} /></label>
          <label>Tiers<input placeholder="vip, gold" value={form.tiers} onChange={(e) => set({ tiers: e.target.value })} /></label>
          <label>Languages<input placeholder="en, pt" value={form.languages} onChange={(e) => set({ languages: e.target.value })} /></label>
          <label>Business numbers<input placeholder={numbers[0]?.phone_number_id ?? 'phone number id'} value={form.businessNumbers} onChange={(e) => set({ businessNumbers: e.target.value })} />
            <small>Phone number ids, comma-separated.</small></label>
        </div>
        <RuleHours form={form} set={set} />
      </fieldset>
      <fieldset>
        <legend>Action</legend>
        <div className="row">
          <label className="check"><input type="radio" name="action" checked={form.actionType === 'team'} onChange={() => set({ actionType: 'team' })} /> Queue for a team</label>
          <label className="check"><input type="radio" name="action" checked={form.actionType === 'bot'} onChange={() => set({ actionType: 'bot' })} /> Answer with the bot</label>
        </div>
        {form.actionType === 'team' ? (
          <div className="form-grid">
            <label>Team
              <select id="rule-form-teamId" value={form.teamId} onChange={(e) => set({ teamId: e.target.value })}>
                <option value="">Choose a team…</option>{teamOptions}
              </select>
              {teams.length === 0 && <small className="error">Create a team first.</small>}</label>
            <label>Priority<input id="rule-form-priority" type="number" value={form.priority} onChange={(e) => set({ priority: e.target.value })} />
              <small>Higher is more urgent.</small></label>
          </div>
        ) : (
          <div className="form-grid">
            <RepliesFields replies={form.botReplies} onChange={(botReplies) => set({ botReplies })} />
            <label>Fallback reply<input value={form.botFallback} onChange={(e) => set({ botFallback: e.target.value })} />
              <small>Sent when no canned reply matches.</small></label>
            <label>Handover keywords<input placeholder="human, agent" value={form.handoverKeywords} onChange={(e) => set({ handoverKeywords: e.target.value })} /></label>
            <label>Hand over to
              <select value={form.handoverTeamId} onChange={(e) => set({ handoverTeamId: e.target.value })}>
                <option value="">Nobody</option>{teamOptions}
              </select></label>
          </div>
        )}
      </fieldset>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : rule ? 'Save rule' : 'Create rule'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}

function DryRun({ api, teams, numbers, onResult }: { api: Api; teams: TeamOut[]; numbers: NumberOut[]; onResult: (r: DryRunOut | null) => void }) {
  const [text, setText] = useState('');
  const [tier, setTier] = useState('standard');
  const [language, setLanguage] = useState('');
  const [number, setNumber] = useState('');
  const [result, setResult] = useState<DryRunOut | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { text, tier: tier.trim() || 'standard', business_number: number, ...(language.trim() ? { language: language.trim() } : {}) };
    const r = await call(() => api.POST('/api/v1/rules/dry-run', { body }), 'Could not run the test');
    setBusy(false);
    if (r.error || !r.data) { setError(r.error ?? 'Could not run the test'); setResult(null); onResult(null); } else { setResult(r.data); onResult(r.data); }
  };

  return (
    <form className="panel form" onSubmit={submit} aria-label="Test a message">
      <h2>Test a message</h2>
      <p className="muted small">Runs the rules against a sample message without changing anything.</p>
      <label>Message text<textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="I want a refund for order 1234" /></label>
      <div className="form-grid">
        <label>Customer tier<input value={tier} onChange={(e) => setTier(e.target.value)} /></label>
        <label>Language<input placeholder="detect from the text" value={language} onChange={(e) => setLanguage(e.target.value)} /></label>
        <label>Business number
          <select value={number} onChange={(e) => setNumber(e.target.value)}>
            <option value="">None</option>
            {numbers.map((n) => <option key={n.id} value={n.phone_number_id}>{n.name || n.display_phone} ({n.phone_number_id})</option>)}
          </select></label>
      </div>
      <div className="row"><button type="submit" className="primary" disabled={busy}>{busy ? 'Testing…' : 'Test'}</button></div>
      {error && <p className="error" role="alert">{error}</p>}
      {result && <p className={`dry-result${result.matched ? ' matched' : ''}`} role="status" data-testid="dry-run-result">{dryRunSummary(result, teams)}</p>}
    </form>
  );
}

/** "If keywords refund → Queue for Billing", or "Every message → …". */
function ruleLine(r: RuleOut, teams: TeamOut[], numbers: NumberOut[]): string {
  const when = conditionsSummary(r.conditions, (id) => labelForNumber(numbers, id));
  return `${when === 'every message' ? 'Every message' : `If ${when}`} → ${actionSummary(r.action, teams)}`;
}

/** Business hours of a rule's conditions: off, or a time zone, times and days. */
function RuleHours({ form, set }: { form: RuleForm; set: (patch: Partial<RuleForm>) => void }) {
  const value: HoursValue = {
    on: form.hoursOn, timeZone: form.hoursTimeZone, from: form.hoursFrom, to: form.hoursTo, days: form.hoursDays, inside: form.hoursInside,
  };
  const change = (p: Partial<HoursValue>) => set({
    ...(p.on !== undefined && { hoursOn: p.on }),
    ...(p.timeZone !== undefined && { hoursTimeZone: p.timeZone }),
    ...(p.from !== undefined && { hoursFrom: p.from }),
    ...(p.to !== undefined && { hoursTo: p.to }),
    ...(p.days !== undefined && { hoursDays: p.days }),
    ...(p.inside !== undefined && { hoursInside: p.inside }),
  });
  return <HoursFields value={value} set={change} legend="Business hours" toggle="Only at certain hours" idPrefix="rule-form" />;
}

/** The bot's canned replies: keyword and text per row, in order. */
function RepliesFields({ replies, onChange }: { replies: RuleForm['botReplies']; onChange: (r: RuleForm['botReplies']) => void }) {
  const update = (i: number, patch: Partial<RuleForm['botReplies'][number]>) =>
    onChange(replies.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const add = () => {
    onChange([...replies, { keyword: '', text: '' }]);
    // Focus the new row's keyword once it is on screen.
    window.setTimeout(() => document.getElementById(`rule-reply-${replies.length}-keyword`)?.focus(), 0);
  };
  return (
    <fieldset className="wide-field" id="rule-form-botReplies" tabIndex={-1}>
      <legend>Canned replies <small className="muted">(the first whose keyword is in the text answers)</small></legend>
      {replies.length === 0 && <p className="muted small">None yet: only the fallback answers.</p>}
      <ol className="reply-rows">
        {replies.map((r, i) => (
          <li key={i} className="reply-row">
            <label>Keyword<input id={`rule-reply-${i}-keyword`} aria-label={`Keyword ${i + 1}`} maxLength={100} value={r.keyword}
              onChange={(e) => update(i, { keyword: e.target.value })} /></label>
            <label>Reply<textarea aria-label={`Reply ${i + 1}`} rows={2} maxLength={4096} value={r.text} onChange={(e) => update(i, { text: e.target.value })} /></label>
            <button type="button" className="link danger" aria-label={`Remove canned reply ${i + 1}`}
              onClick={() => onChange(replies.filter((_, j) => j !== i))}>Remove</button>
          </li>))}
      </ol>
      <div className="row"><button type="button" className="ghost" onClick={add}>Add a canned reply</button></div>
    </fieldset>
  );
}
