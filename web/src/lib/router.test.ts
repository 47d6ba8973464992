import { describe, expect, test } from 'vitest';
import { parseRoute } from './router';

describe('parseRoute', () => {
  test('campaigns: the list and one campaign', () => {
    expect(parseRoute('/campaigns')).toEqual({ page: 'campaigns', campaignId: null });
    expect(parseRoute('/campaigns/')).toEqual({ page: 'campaigns', campaignId: null });
    expect(parseRoute('/campaigns/42')).toEqual({ page: 'campaigns', campaignId: 42 });
    expect(parseRoute('/campaigns/x')).toEqual({ page: 'inbox', conversationId: null });
  });
  test('other pages still parse', () => {
    expect(parseRoute('/conversations/7')).toEqual({ page: 'inbox', conversationId: 7 });
    expect(parseRoute('/templates')).toEqual({ page: 'templates' });
    expect(parseRoute('/webhooks')).toEqual({ page: 'webhooks' });
  });
});
