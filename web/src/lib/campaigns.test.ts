import { describe, expect, it } from 'vitest';
import { allowedActions, audienceBody, bodyParameterCount, csvPreview, isLive, progress, reached } from './campaigns';

const counts = (over: Partial<Record<string, number>> = {}) => ({
  recipients: 10, pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, skipped: 0, cancelled: 0, replied: 0, ...over,
});

describe('campaigns', () => {
  it('offers the actions each state allows', () => {
    expect(allowedActions('draft')).toEqual(['start', 'cancel', 'delete']);
    expect(allowedActions('running')).toEqual(['pause', 'cancel']);
    expect(allowedActions('paused')).toEqual(['resume', 'cancel']);
    expect(allowedActions('completed')).toEqual([]);
    expect(isLive('paused')).toBe(true);
    expect(isLive('completed')).toBe(false);
  });

  it('counts what the provider took and what is settled', () => {
    const c = counts({ sent: 2, delivered: 3, read: 1, failed: 1, skipped: 1, pending: 2 });
    expect(reached(c)).toBe(6);
    expect(progress(c)).toBeCloseTo(0.8);
    expect(progress(counts({ recipients: 0 }))).toBe(1);
  });

  it('previews a CSV audience and names a missing id column', () => {
    expect(csvPreview('phone,name\n+4915,Ana\n\n+4916,Ben\n')).toEqual({ columns: ['phone', 'name'], rows: 2, idColumn: 'phone', error: null });
    expect(csvPreview('name\nAna').error).toMatch(/no id column/);
    expect(csvPreview('  ').error).toMatch(/empty/);
  });

  it('counts a template body parameters once each', () => {
    expect(bodyParameterCount([{ type: 'HEADER', text: '{{1}}' }, { type: 'BODY', text: 'Hi {{1}}, order {{2}}; {{1}}' }])).toBe(2);
    expect(bodyParameterCount([])).toBeNull();
    expect(bodyParameterCount(null)).toBeNull();
  });

  it('builds the audience of the request', () => {
    const form = { kind: 'all' as const, csv: '', labelId: '', tier: ' gold ', language: '' };
    expect(audienceBody(form)).toEqual({ all: true, tier: 'gold' });
    expect(audienceBody({ ...form, kind: 'label', labelId: '7' })).toEqual({ label_id: 7 });
    expect(audienceBody({ ...form, kind: 'csv', csv: 'phone\n1' })).toEqual({ csv: 'phone\n1' });
  });
});
