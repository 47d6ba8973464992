import { expect, test } from 'vitest';
import { attachmentForm, attachmentProblem, fileSize, MAX_ATTACHMENT_BYTES, mediaShow, thumbBox } from './media';

test('an image keeps its shape inside the thumbnail box, never enlarged', () => {
  expect(thumbBox(1280, 960)).toEqual({ width: 280, height: 210 });
  expect(thumbBox(960, 1280)).toEqual({ width: 210, height: 280 });
  expect(thumbBox(100, 50)).toEqual({ width: 100, height: 50 });
  expect(thumbBox(4000, 10)).toEqual({ width: 280, height: 1 });
  expect(thumbBox(null, 480)).toBeNull();
  expect(thumbBox(640, 0)).toBeNull();
});

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

test('an attachment is refused when empty, too large or over-captioned', () => {
  expect(attachmentProblem({ size: 0 }, '')).toBe('The file is empty.');
  expect(attachmentProblem({ size: MAX_ATTACHMENT_BYTES + 1 }, '')).toMatch(/at most 104\.9 MB/);
  expect(attachmentProblem({ size: 10 }, 'x'.repeat(1025))).toMatch(/1024 characters/);
  expect(attachmentProblem({ size: 10 }, 'é'.repeat(1024))).toBeNull();
});

test('the form carries the file under its name and a trimmed caption', async () => {
  const form = attachmentForm(new Blob(['%PDF-1.7'], { type: 'application/pdf' }), 'invoice.pdf', '  Your invoice ');
  const file = form.get('file') as File;
  expect(file.name).toBe('invoice.pdf');
  expect(file.type).toBe('application/pdf');
  expect(await file.text()).toBe('%PDF-1.7');
  expect(form.get('caption')).toBe('Your invoice');
  expect(attachmentForm(new Blob(['x']), 'a.txt', '   ').has('caption')).toBe(false);
});
