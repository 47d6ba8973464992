// Shared pieces of the admin pages: the page shell of a list of rows
// (RowsPage), loading a list with its error (403
// explained), and the loading / error / empty states around it.
import { Fragment, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { errorText } from '../api/client';
import { adminErrorText } from '../lib/admin';
import { ConfirmDialog } from './Dialog';

/** What an openapi-fetch call resolves to, loosely. */
export type Res<T> = { data?: T; error?: unknown; response?: Response };

/** The message for a failed call (network failures included). */
export function failText(res: Res<unknown> | undefined, err: unknown, fallback: string): string {
  if (err !== undefined) return errorText(err, fallback);
  const detail = res?.error && typeof res.error === 'object' && 'detail' in res.error ? String((res.error as { detail: unknown }).detail) : undefined;
  return adminErrorText(res?.response?.status, detail, fallback);
}

/** Runs an API call and turns a thrown network error into an error result. */
export async function call<T>(fn: () => Promise<Res<T>>, fallback: string): Promise<{ data?: T; error?: string }> {
  try {
    const res = await fn();
    return res.data !== undefined || (res.response?.ok ?? false) ? { data: res.data } : { error: failText(res, undefined, fallback) };
  } catch (err) {
    return { error: failText(undefined, err, fallback) };
  }
}

export type Loaded<T> = { data: T | null; error: string | null; reload: () => Promise<void>; set: (data: T) => void };

/** Loads `fetcher` on mount, when `key` changes and on `reload()`. */
export function useLoaded<T>(key: unknown, fetcher: () => Promise<Res<T>>, fallback: string): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const latest = useRef(fetcher);
  latest.current = fetcher;
  const reload = useCallback(async () => {
    const r = await call(() => latest.current(), fallback);
    setState(r.error ? { data: null, error: r.error } : { data: r.data ?? null, error: null });
  }, [key, fallback]);
  useEffect(() => { void reload(); }, [reload]);
  const set = useCallback((data: T) => setState({ data, error: null }), []);
  return { ...state, reload, set };
}

/** A panel showing loading, error or empty states, else `children`. */
export function States({ label, loaded, empty, emptyText, children }: {
  label: string; loaded: { data: unknown; error: string | null }; empty: boolean; emptyText: string; children: ReactNode;
}) {
  return (
    <section className="panel" aria-label={label}>
      {loaded.error ? <p className="error" role="alert">{loaded.error}</p>
        : loaded.data === null ? <p className="muted" aria-busy="true">Loading…</p>
        : empty ? <p className="muted">{emptyText}</p>
        : children}
    </section>
  );
}

/** What an agent sees on an admin page's address. */
export function AdminOnly({ title, staff = false }: { title: string; staff?: boolean }) {
  return (
    <div className="system">
      <h1>{title}</h1>
      <section className="panel" role="alert">
        <h2>{staff ? 'Supervisors and admins only' : 'Admins only'}</h2>
        <p className="muted">Only {staff ? 'supervisors and admins' : 'admins'} can see and change {title.toLowerCase()}. Ask an admin if you need access.</p>
      </section>
    </div>
  );
}

/** A notice line: success (status) or failure (alert). */
export function Notice({ notice }: { notice: { ok: boolean; text: string } | null }) {
  if (!notice) return null;
  return notice.ok
    ? <div className="banner" role="status">{notice.text}</div>
    : <div className="banner error" role="alert">{notice.text}</div>;
}

/** A page's notice: success (status) or failure (alert). */
export type PageNotice = { ok: boolean; text: string } | null;

/** The state of a list page whose rows are edited in a form and deleted
 * after a confirmation: the row in the form (`'new'` for a new one), the
 * row asked about, the page's notice, and the delete itself. */
export function useRowEditing<T>(reload: () => void) {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [deleting, setDeleting] = useState<T | null>(null);
  const [notice, setNotice] = useState<PageNotice>(null);
  const [busy, setBusy] = useState(false);
  return {
    editing, deleting, notice, busy, setNotice, setDeleting,
    /** Opens the form for `row` (or a new one) and clears the notice. */
    edit: (row: T | 'new') => { setEditing(row); setNotice(null); },
    /** Closes the form; with a text, it saved: say so and reload. */
    done: (text: string | null) => { setEditing(null); if (text) { setNotice({ ok: true, text }); reload(); } },
    /** Runs the confirmed delete, says how it went and reloads. */
    remove: async (request: () => Promise<Res<unknown>>, fallback: string, deleted: string) => {
      setBusy(true);
      const r = await call(request, fallback);
      setBusy(false);
      setDeleting(null);
      setNotice(r.error ? { ok: false, text: r.error } : { ok: true, text: deleted });
      reload();
    },
  };
}

/** What `useRowEditing` gives a page. */
export type RowEditing<T> = ReturnType<typeof useRowEditing<T>>;

/**
 * An admin page of rows: its heading with the New button, the notice, the
 * form while a row (or a new one: `null`) is edited, the confirmation of a
 * delete (`deleteName`, `confirm`), then the list (`children`).
 */
export function RowsPage<T extends { id: number }>({ title, newLabel, rows, form, deleteName, confirm, onDelete, children }: {
  title: string; newLabel: string; rows: RowEditing<T>; form: (row: T | null) => ReactNode;
  deleteName: (row: T) => string; confirm: (row: T) => ReactNode; onDelete: (row: T) => Promise<void>; children: ReactNode;
}) {
  const { editing, deleting } = rows;
  return (
    <div className="system">
      <div className="page-head">
        <h1>{title}</h1>
        <button type="button" className="primary" onClick={() => rows.edit('new')}>{newLabel}</button>
      </div>
      <Notice notice={rows.notice} />
      {editing && <Fragment key={editing === 'new' ? 'new' : editing.id}>{form(editing === 'new' ? null : editing)}</Fragment>}
      {deleting && (
        <DeleteDialog name={deleteName(deleting)} busy={rows.busy} onConfirm={() => void onDelete(deleting)} onCancel={() => rows.setDeleting(null)}>
          {confirm(deleting)}
        </DeleteDialog>
      )}
      {children}
    </div>
  );
}

/** A row's Edit and (when `onDelete` is given) Delete buttons. */
export function RowActions({ name, onEdit, onDelete }: { name: string; onEdit: () => void; onDelete?: () => void }) {
  return (
    <td className="actions">
      <button type="button" className="link" onClick={onEdit} aria-label={`Edit ${name}`}>Edit</button>
      {onDelete && <button type="button" className="link danger" onClick={onDelete} aria-label={`Delete ${name}`}>Delete</button>}
    </td>
  );
}

/** The confirmation before a delete: what happens, then Delete / Cancel. */
export function DeleteDialog({ name, busy, onConfirm, onCancel, children }: {
  name: string; busy: boolean; onConfirm: () => void; onCancel: () => void; children: ReactNode;
}) {
  return (
    <ConfirmDialog label="Confirm deletion" onCancel={onCancel}>
      {children}
      <div className="row">
        <button type="button" className="primary danger" disabled={busy} onClick={onConfirm}>Delete {name}</button>
        <button type="button" className="ghost" onClick={onCancel} data-autofocus>Cancel</button>
      </div>
    </ConfirmDialog>
  );
}

/** A secret shown this once (a new token, a webhook's signing secret):
 * selected for copying, a copy button, and a hide button. */
export function SecretOnce({ title, label, secret, warning, testId, onHide }: {
  title: string; label: string; secret: string; warning: string; testId: string; onHide: () => void;
}) {
  const [copied, setCopied] = useState<string | null>(null);
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => { ref.current?.select(); }, [secret]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied('Copied to the clipboard.');
    } catch {
      ref.current?.select();
      setCopied(`Copying is not allowed here: the ${label.toLowerCase()} is selected, press Ctrl+C.`);
    }
  };
  return (
    <section className="panel form secret-once" aria-label={title} data-testid={testId}>
      <h2>{title}</h2>
      <p className="warning" role="alert"><strong>Copy it now: it is shown only this once.</strong> {warning}</p>
      <div className="inline-form">
        <label>{label}<input ref={ref} readOnly value={secret} className="mono" onFocus={(e) => e.target.select()} /></label>
        <button type="button" className="primary" onClick={() => void copy()}>Copy</button>
      </div>
      {copied && <p className="muted small" role="status">{copied}</p>}
      <div className="row"><button type="button" className="ghost" onClick={onHide}>I have stored it — hide it</button></div>
    </section>
  );
}
