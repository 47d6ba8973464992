import { expect, test } from 'vitest';
import { webhookState } from './webhooks';

test('an endpoint reads as active, failing, or disabled with the reason', () => {
  expect(webhookState({ enabled: true })).toEqual({ label: 'Active', tone: 'ok', detail: null });
  const failing = webhookState({ enabled: true, failing_since: '2026-12-04T10:00:00Z' });
  expect(failing.label).toBe('Failing');
  expect(failing.detail).toContain('2026-12-04 10:00 UTC');
  expect(webhookState({ enabled: false, disabled_reason: 'gone' }).detail).toMatch(/410/);
  expect(webhookState({ enabled: false, disabled_reason: 'failing' }).detail).toMatch(/too long/);
  expect(webhookState({ enabled: false })).toEqual({ label: 'Disabled', tone: 'muted', detail: null });
});
