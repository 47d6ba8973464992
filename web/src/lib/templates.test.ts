import { expect, test } from 'vitest';
import type { components } from '../api/schema';
import { fillPlaceholders, matchTemplates, parametersFilled, placeholders, sortTemplates, syncBlocker, syncSummary, syncTarget, templateBody, templateQuery, templateStatusTone } from './templates';

type NumberOut = components['schemas']['NumberOut'];
const number = (over: Partial<NumberOut>): NumberOut => ({
  id: 1, provider: 'meta', phone_number_id: '1055', display_phone: '+1 555 0100', name: 'Support',
  has_app_secret: true, has_verify_token: true, has_access_token: true,
  csat: { enabled: false, question: 'How would you rate the help you got from us today?', custom_question: false, window_secs: 86_400 },
  created_at: '2026-11-28T10:00:00Z', updated_at: '2026-11-28T10:00:00Z', ...over,
});

test('approved templates are green, refused or stopped ones red, waiting ones amber', () => {
  expect(templateStatusTone('APPROVED')).toBe('ok');
  expect(templateStatusTone('rejected')).toBe('bad');
  expect(templateStatusTone('PAUSED')).toBe('bad');
  expect(templateStatusTone('PENDING')).toBe('warn');
  expect(templateStatusTone('SOMETHING_NEW')).toBe('none');
});

test('the body is the BODY component text', () => {
  expect(templateBody([{ type: 'HEADER', format: 'TEXT', text: 'Hi' }, { type: 'BODY', text: 'Your order {{1}} ships.' }])).toBe('Your order {{1}} ships.');
  expect(templateBody([])).toBeNull();
  expect(templateBody({})).toBeNull();
});

test('empty filters are left out of the query', () => {
  expect(templateQuery({ number: '', status: '' })).toEqual({});
  expect(templateQuery({ number: '1055', status: 'APPROVED' })).toEqual({ number: '1055', status: 'APPROVED' });
});

test('a sync reads the chosen number, or the only Meta number', () => {
  const meta = number({ id: 1, phone_number_id: '1055', waba_id: '102290129340398' });
  const wasender = number({ id: 2, provider: 'wasender', phone_number_id: 'sess-1' });
  const other = number({ id: 3, phone_number_id: '2066' });
  expect(syncTarget([meta, wasender], '')).toBe(meta);
  expect(syncTarget([meta, other], '')).toBeNull();
  expect(syncTarget([meta, other], '2066')).toBe(other);
  expect(syncTarget([meta], 'gone')).toBeNull();
});

test('a sync says why it cannot run', () => {
  expect(syncBlocker(null)).toMatch(/Choose a number/);
  expect(syncBlocker(number({ provider: 'wasender' }))).toMatch(/no template catalog/);
  expect(syncBlocker(number({}))).toMatch(/business account is not known yet/);
  expect(syncBlocker(number({ waba_id: '1' }))).toBeNull();
});

test('a sync result reads as a sentence', () => {
  expect(syncSummary('Support', { listed: 3, added: 1 })).toBe('Synced Support: the provider listed 3 templates, 1 new.');
  expect(syncSummary('Support', { listed: 1, added: 0 })).toBe('Synced Support: the provider listed 1 template, 0 new.');
});

test('templates sort by name, then language', () => {
  const t = (name: string, language: string) => ({ id: 0, waba_id: 'w', name, language, status: 'APPROVED', components: [], updated_at: '' });
  expect(sortTemplates([t('b', 'en'), t('a', 'pt'), t('a', 'de')]).map((x) => `${x.name}/${x.language}`)).toEqual(['a/de', 'a/pt', 'b/en']);
});

test('placeholders are distinct, trimmed and in parameter order', () => {
  expect(placeholders('Hi {{2}}, order {{1}} for {{ 2 }}')).toEqual(['1', '2']);
  expect(placeholders('Nothing to fill')).toEqual([]);
  expect(placeholders('{{10}} {{9}} {{}}')).toEqual(['9', '10']);
  expect(placeholders('{{name}} then {{code}}')).toEqual(['name', 'code']);
});

test('the preview fills each placeholder live and keeps the empty ones', () => {
  const body = 'Hi {{1}}, your order {{2}} ships; thanks {{ 1 }}';
  expect(fillPlaceholders(body, ['Ana', ''])).toBe('Hi Ana, your order {{2}} ships; thanks Ana');
  expect(fillPlaceholders(body, ['Ana', ' 42 '])).toBe('Hi Ana, your order 42 ships; thanks Ana');
  expect(fillPlaceholders(body, [])).toBe(body);
});

test('a template is sendable only when every parameter is filled', () => {
  expect(parametersFilled([], 0)).toBe(true);
  expect(parametersFilled(['a'], 2)).toBe(false);
  expect(parametersFilled(['a', '  '], 2)).toBe(false);
  expect(parametersFilled(['a', 'b'], 2)).toBe(true);
});

test('the picker search matches name, language, category and body', () => {
  const t = (name: string, language: string, category: string, body: string) => ({
    id: 1, waba_id: 'w', name, language, category, status: 'APPROVED', components: [{ type: 'BODY', text: body }], updated_at: '2026-01-01T00:00:00Z',
  });
  const all = [t('order_update', 'en_US', 'UTILITY', 'Your order {{1}}'), t('welcome', 'de', 'MARKETING', 'Willkommen zurück')];
  expect(matchTemplates(all, '').length).toBe(2);
  expect(matchTemplates(all, 'ORDER').map((x) => x.name)).toEqual(['order_update']);
  expect(matchTemplates(all, 'marketing de').map((x) => x.name)).toEqual(['welcome']);
  expect(matchTemplates(all, 'willkommen').map((x) => x.name)).toEqual(['welcome']);
  expect(matchTemplates(all, 'order pt_BR')).toEqual([]);
});

test('a template known from the components webhook has its element as body', () => {
  expect(templateBody({ message_template_element: 'Danke, {{1}}!', message_template_footer: 'Wharf' })).toBe('Danke, {{1}}!');
  expect(templateBody({ message_template_footer: 'Wharf' })).toBeNull();
});
