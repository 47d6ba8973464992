// Saving a file the dashboard fetched with the session's bearer header (a
// blob, never a token in a URL) as the browser's download.

/** Saves the blob at object URL `url` as `name`. */
export function saveAs(url: string, name: string): void {
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
}

/** Saves `blob` as `name`; its object URL is released once the download has started. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  saveAs(url, name);
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
