import { describe, expect, test } from 'vitest';
import { addSample, pausedText, allowedActions, audienceText, campaignRequest, chartPoints, csvFields, csvFileName, csvPreview, isLive, parameterCount, progressText, sentOrLater, settled, windowText } from './campaigns';

const counts = { recipients: 10, pending: 2, queued: 1, sent: 2, delivered: 1, read: 1, failed: 1, skipped: 1, cancelled: 0, replied: 1 };

describe('campaigns', () => {
  test('actions by state', () => {
    expect(allowedActions('draft')).toEqual(['start', 'cancel', 'delete']);
    expect(allowedActions('running')).toEqual(['pause', 'cancel']);
    expect(allowedActions('paused')).toEqual(['resume', 'cancel']);
    expect(allowedActions('scheduled')).toEqual(['cancel']);
    expect(allowedActions('completed')).toEqual([]);
    expect(allowedActions('cancelled')).toEqual([]);
    expect(isLive('paused')).toBe(true);
    expect(isLive('draft')).toBe(false);
  });
  test('progress figures', () => {
    expect(sentOrLater(counts)).toBe(5);
    expect(settled(counts)).toBe(7);
    expect(progressText(counts)).toBe('5 / 10 (50 %)');
    expect(progressText({ ...counts, recipients: 0, sent: 0, delivered: 0, read: 0, replied: 0 })).toBe('0 / 0 (0 %)');
  });
  test('parameter count from the body', () => {
    expect(parameterCount([{ type: 'HEADER', text: '{{1}}' }, { type: 'BODY', text: 'Hi {{1}}, your {{2}} is {{ 1 }}' }])).toBe(2);
    expect(parameterCount([{ type: 'BODY', text: 'No params' }])).toBe(0);
    expect(parameterCount(null)).toBeNull();
    expect(parameterCount([{ type: 'FOOTER', text: 'x' }])).toBeNull();
  });
  test('CSV fields and preview', () => {
    expect(csvFields('a, "b, c" ,"d ""e"""')).toEqual(['a', 'b, c', 'd "e"']);
    expect(csvPreview('phone,Name\n+49 151 1\n\n4915102\n')).toEqual({ header: ['phone', 'name'], rows: 2, idColumn: 'phone', problem: null });
    expect(csvPreview('name\nx')?.problem).toMatch(/id column/);
    expect(csvPreview('phone,wa_id\n1,2')?.problem).toMatch(/several/);
    expect(csvPreview('phone')?.problem).toMatch(/no rows/);
    expect(csvPreview('  \n')).toBeNull();
  });
  test('the create request', () => {
    const base = { name: ' Spring ', numberId: '3', template: 'promo', language: 'en', parameters: ['{{csv.name}}'], rate: '', audience: { kind: 'csv' as const, csv: 'phone\n1' } };
    expect(campaignRequest(base)).toEqual({ body: { name: 'Spring', business_number_id: 3, template_name: 'promo', template_language: 'en', parameters: ['{{csv.name}}'], audience: { csv: 'phone\n1' } } });
    expect(campaignRequest({ ...base, rate: '2.5' })).toMatchObject({ body: { rate_per_second: 2.5 } });
    expect(campaignRequest({ ...base, rate: '-1' })).toHaveProperty('error');
    expect(campaignRequest({ ...base, name: '' })).toEqual({ error: 'Give the campaign a name.' });
    expect(campaignRequest({ ...base, audience: { kind: 'all', tier: 'gold', language: '' } })).toMatchObject({ body: { audience: { all: true, tier: 'gold' } } });
    expect(campaignRequest({ ...base, audience: { kind: 'label', labelId: '' } })).toEqual({ error: 'Choose a label.' });
    expect(campaignRequest({ ...base, audience: { kind: 'label', labelId: '7' } })).toMatchObject({ body: { audience: { label_id: 7 } } });
  });
  test('who paused', () => {
    expect(pausedText('agent', 'paused by a person')).toBe('Paused by a person');
    expect(pausedText('wharf', 'template spring_promo is PAUSED')).toBe('Paused by Wharf: template spring_promo is PAUSED');
    expect(pausedText(undefined, undefined)).toBe('Paused by a person');
  });
  test('audience text, chart, file name', () => {
    expect(audienceText({ csv_rows: 3 })).toBe('CSV (3 recipients)');
    expect(audienceText({ all: true, tier: 'gold' })).toBe('All contacts, tier gold');
    expect(audienceText({ label_id: 4 })).toBe('Label #4');
    let s = addSample([], { t: 0, done: 0 }, 2);
    s = addSample(s, { t: 1000, done: 5 }, 2);
    s = addSample(s, { t: 2000, done: 10 }, 2);
    expect(s).toEqual([{ t: 1000, done: 5 }, { t: 2000, done: 10 }]);
    expect(chartPoints(s, 10, 100, 50)).toBe('0,25 100,0');
    expect(chartPoints([], 10, 100, 50)).toBe('');
    expect(csvFileName({ id: 4, name: 'Spring Sale!' })).toBe('campaign-4-spring-sale-recipients.csv');
  });
});

test('a send window goes into the request checked, and reads back as one line', () => {
  const base = {
    name: 'Launch', numberId: '3', template: 'offer', language: 'en', parameters: [],
    audience: { kind: 'all' as const, tier: '', language: '' }, rate: '',
  };
  const ok = campaignRequest({ ...base, window: { timeZone: 'Europe/Berlin', from: '09:00', to: '18:00', days: [5, 1, 2, 3, 4, 4] } });
  expect('body' in ok && ok.body.send_window).toEqual({ time_zone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' });
  expect('body' in campaignRequest({ ...base, window: null }) && campaignRequest({ ...base, window: null })).toMatchObject({ body: { name: 'Launch' } });
  expect(campaignRequest({ ...base, window: { timeZone: 'Mars/Base', from: '09:00', to: '18:00', days: [] } }))
    .toEqual({ error: 'Send window: Give a time zone such as Europe/Berlin.' });
  expect(campaignRequest({ ...base, window: { timeZone: 'UTC', from: '09:00', to: '09:00', days: [] } }))
    .toEqual({ error: 'Send window: The hours must end at another time than they start.' });
  expect(windowText(null)).toBe('any time');
  expect(windowText({ time_zone: 'Europe/Berlin', days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' })).toBe('Mon–Fri 09:00–18:00 Europe/Berlin');
  expect(windowText({ time_zone: 'UTC', days: [6, 7], from: '22:00', to: '06:00' })).toBe('Sat, Sun 22:00–06:00 UTC');
  expect(windowText({ time_zone: 'UTC', from: '09:00', to: '17:00' })).toBe('every day 09:00–17:00 UTC');
});
