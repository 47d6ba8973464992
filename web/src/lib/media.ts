// How a media message shows in a conversation: what to render for the
// file's state and type, and its size in words. The bytes are fetched with
// the session's bearer header into a blob (never a token in a URL).
import type { components } from '../api/schema';

export type MediaOut = components['schemas']['MediaOut'];

export type MediaShow =
  | { type: 'pending' }
  | { type: 'failed' }
  | { type: 'expired' }
  | { type: 'image' }
  | { type: 'audio' }
  | { type: 'video' }
  | { type: 'file' };

/** What to render for a message of `kind` carrying `media`. */
export function mediaShow(kind: string, media: Pick<MediaOut, 'state' | 'mime_type'>): MediaShow {
  if (media.state === 'pending') return { type: 'pending' };
  if (media.state === 'failed') return { type: 'failed' };
  if (media.state !== 'stored') return { type: 'expired' };
  const mime = (media.mime_type ?? '').toLowerCase();
  if (kind === 'sticker' || (kind === 'image' && mime.startsWith('image/') && mime !== 'image/svg+xml')) return { type: 'image' };
  if ((kind === 'audio' || kind === 'voice') && mime.startsWith('audio/')) return { type: 'audio' };
  if (kind === 'video' && mime.startsWith('video/')) return { type: 'video' };
  return { type: 'file' };
}

/** `1.2 MB`, `340 kB`, `512 B` (decimal units, as file managers show). */
export function fileSize(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${Math.round(bytes / 1000)} kB`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** The box (CSS pixels) an image of `width` × `height` takes in the
 * timeline: scaled down to fit `max` × `max`, never up; `null` without a
 * size (the server reads it from the image's header). Reserved before the
 * image loads, so the timeline does not jump. */
export function thumbBox(
  width: number | null | undefined,
  height: number | null | undefined,
  max = 280,
): { width: number; height: number } | null {
  if (!width || !height || width <= 0 || height <= 0) return null;
  const scale = Math.min(1, max / width, max / height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Files larger than this load when the agent asks (video, documents). */
export const LOAD_ON_DEMAND_BYTES = 2_000_000;

/** The largest file the reply box sends (Meta's document limit; the
 * server checks each kind's own limit and the provider's). */
export const MAX_ATTACHMENT_BYTES = 100 * 1024 * 1024;
/** The longest caption Meta takes under a file. */
export const MAX_CAPTION = 1024;

/** Why a chosen file cannot be sent with `caption`, or `null`. */
export function attachmentProblem(file: { size: number }, caption: string): string | null {
  if (file.size === 0) return 'The file is empty.';
  if (file.size > MAX_ATTACHMENT_BYTES) return `The file is ${fileSize(file.size)}; at most ${fileSize(MAX_ATTACHMENT_BYTES)} can be sent.`;
  if ([...caption].length > MAX_CAPTION) return `A caption under a file holds at most ${MAX_CAPTION} characters.`;
  return null;
}

/** The `multipart/form-data` body of an attachment: the file (its name and
 * type travel with it) and the caption, when there is one. */
export function attachmentForm(file: Blob, name: string, caption: string): FormData {
  const form = new FormData();
  form.append('file', file, name);
  if (caption.trim()) form.append('caption', caption.trim());
  return form;
}
