import { expect, test } from 'vitest';
import { accountBadge, eventSummary, fieldLabel, qualityBadge, replyWarning } from './accounts';

test('restricted, violating, banned and disabled accounts are red outages', () => {
  for (const s of ['restricted', 'violation', 'banned', 'disabled']) {
    expect(accountBadge(s)).toEqual({ label: s, tone: 'bad', outage: true });
  }
  expect(accountBadge('ok')).toEqual({ label: 'ok', tone: 'ok', outage: false });
  expect(accountBadge(undefined)).toEqual({ label: 'no update yet', tone: 'none', outage: false });
  expect(accountBadge('BANNED').outage).toBe(true);
  expect(accountBadge('mystery')).toMatchObject({ label: 'mystery', outage: false });
});

test('quality ratings and messaging limits read as words', () => {
  expect(qualityBadge('GREEN')).toEqual({ label: 'High (green)', tone: 'ok' });
  expect(qualityBadge('YELLOW').tone).toBe('warn');
  expect(qualityBadge('RED').tone).toBe('bad');
  expect(qualityBadge('TIER_10K').label).toBe('Limit 10K');
  expect(qualityBadge('TIER_UNLIMITED').label).toBe('Limit unlimited');
  expect(qualityBadge(undefined)).toEqual({ label: '—', tone: 'none' });
  expect(qualityBadge('THROUGHPUT_UPGRADE').label).toBe('throughput upgrade');
});

test('an account event reads in one line', () => {
  expect(fieldLabel('account_update')).toBe('Account update');
  expect(eventSummary({ field: 'account_update', event: 'DISABLED_UPDATE', detail: { event: 'DISABLED_UPDATE', ban_info: { waba_ban_state: 'DISABLE', waba_ban_date: 'June 10, 2026' } } }))
    .toBe('ban state DISABLE · since June 10, 2026');
  expect(eventSummary({ field: 'account_update', event: 'ACCOUNT_VIOLATION', detail: { violation_info: { violation_type: 'SCAM' } } })).toBe('violation SCAM');
  expect(eventSummary({ field: 'account_update', event: 'ACCOUNT_RESTRICTION', detail: { restriction_info: [{ restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: 1781704800 }] } }))
    .toMatch(/^restriction RESTRICTED_BIZ_INITIATED_MESSAGING until 2026-06-\d\d \d\d:\d\d:00$/);
  expect(eventSummary({ field: 'message_template_status_update', event: 'APPROVED', detail: { message_template_name: 'order_confirmation', message_template_language: 'de', reason: 'NONE' } }))
    .toBe('template order_confirmation (de)');
  expect(eventSummary({ field: 'message_template_quality_update', event: '', detail: { message_template_name: 'w', previous_quality_score: 'GREEN', new_quality_score: 'YELLOW' } }))
    .toBe('template w · quality GREEN → YELLOW');
  expect(eventSummary({ field: 'x', event: 'y', detail: null })).toBe('');
});

test('the reply box warns while the number cannot serve customers', () => {
  expect(replyWarning(undefined)).toBeNull();
  expect(replyWarning({ account_status: null })).toBeNull();
  expect(replyWarning({ account_status: 'ok' })).toBeNull();
  expect(replyWarning({ account_status: 'flagged' })).toBeNull();
  expect(replyWarning({ account_status: 'banned' })).toMatch(/^This number's WhatsApp account is banned: replies may not reach the customer\.$/);
  expect(replyWarning({ account_status: 'RESTRICTED', account_status_at: '2026-12-04T10:00:00Z' })).toMatch(/is restricted since .+: replies/);
  // A WasenderApi session that is not connected warns too; connected or
  // never reported does not; an account outage is said first.
  expect(replyWarning({ session_status: 'connected' })).toBeNull();
  expect(replyWarning({ session_status: null })).toBeNull();
  expect(replyWarning({ session_status: 'need_scan', session_status_at: '2026-12-04T10:00:00Z' })).toMatch(
    /^This number's WhatsApp session is need scan since .+: replies are not sent until it is connected again\.$/,
  );
  expect(replyWarning({ account_status: 'banned', session_status: 'disconnected' })).toMatch(/account is banned/);
});
