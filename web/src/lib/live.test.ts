import { expect, test } from 'vitest';
import { parseEvent } from './live';
import { parseRoute } from './router';

test('parseEvent accepts a live event and ignores anything else', () => {
  expect(parseEvent('{"kind":"message","conversation_id":4,"message_id":9}')).toEqual({ kind: 'message', conversation_id: 4, message_id: 9 });
  expect(parseEvent('{"kind":"message"}')).toBeNull();
  expect(parseEvent('not json')).toBeNull();
});

test('routes: inbox, a conversation, the system page', () => {
  expect(parseRoute('/')).toEqual({ page: 'inbox', conversationId: null });
  expect(parseRoute('/conversations/42')).toEqual({ page: 'inbox', conversationId: 42 });
  expect(parseRoute('/system/')).toEqual({ page: 'system' });
  expect(parseRoute('/dlq')).toEqual({ page: 'dlq' });
  expect(parseRoute('/templates')).toEqual({ page: 'templates' });
  expect(parseRoute('/elsewhere')).toEqual({ page: 'inbox', conversationId: null });
});

test('prettyJson indents JSON payloads and leaves other text alone', async () => {
  const { prettyJson } = await import('../views/DeadLetters');
  expect(prettyJson('{"a":1}')).toBe('{\n  "a": 1\n}');
  expect(prettyJson('not json')).toBe('not json');
});
