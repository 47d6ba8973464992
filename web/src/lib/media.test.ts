import { expect, test } from 'vitest';
import { fileSize, mediaShow } from './media';

test('the state decides before the type', () => {
  expect(mediaShow('image', { state: 'pending', mime_type: 'image/jpeg' })).toEqual({ type: 'pending' });
  expect(mediaShow('image', { state: 'failed', mime_type: 'image/jpeg' })).toEqual({ type: 'failed' });
  expect(mediaShow('image', { state: 'expired', mime_type: 'image/jpeg' })).toEqual({ type: 'expired' });
});

test('stored files show by type; anything unsafe or unknown is a download', () => {
  expect(mediaShow('image', { state: 'stored', mime_type: 'image/jpeg' }).type).toBe('image');
  expect(mediaShow('sticker', { state: 'stored', mime_type: 'image/webp' }).type).toBe('image');
  expect(mediaShow('image', { state: 'stored', mime_type: 'image/svg+xml' }).type).toBe('file');
  expect(mediaShow('audio', { state: 'stored', mime_type: 'audio/ogg; codecs=opus' }).type).toBe('audio');
  expect(mediaShow('video', { state: 'stored', mime_type: 'video/mp4' }).type).toBe('video');
  expect(mediaShow('document', { state: 'stored', mime_type: 'application/pdf' }).type).toBe('file');
  expect(mediaShow('video', { state: 'stored', mime_type: 'text/html' }).type).toBe('file');
});

test('sizes read like a file manager', () => {
  expect(fileSize(512)).toBe('512 B');
  expect(fileSize(340_400)).toBe('340 kB');
  expect(fileSize(1_234_567)).toBe('1.2 MB');
  expect(fileSize(undefined)).toBe('');
});
