// Labels (admins and supervisors): name and colour; create, edit, delete
// (deleting takes the label off every conversation). Agents apply them in a
// conversation's details.
import { useState, type FormEvent } from 'react';
import type { Api, Label } from '../api/client';
import { call, RowActions, RowsPage, States, useLoaded, useRowEditing } from './adminKit';
import { useDialog } from './Dialog';
import { LabelChip } from './LabelChip';

export function Labels({ api }: { api: Api }) {
  const labels = useLoaded<Label[]>(api, () => api.GET('/api/v1/labels'), 'Could not load the labels');
  const rows = useRowEditing<Label>(() => void labels.reload());
  const remove = (l: Label) => rows.remove(() => api.DELETE('/api/v1/labels/{id}', { params: { path: { id: l.id } } }),
    'Could not delete the label', `Label ${l.name} was deleted.`);

  return (
    <RowsPage title="Labels" newLabel="New label" rows={rows}
      form={(row) => <LabelForm api={api} label={row} onDone={rows.done} />}
      deleteName={(row) => row.name} onDelete={remove}
      confirm={(row) => (
        <p>Delete label {row.name}? It is taken off every conversation that carries it.</p>
      )}>
      <States label="Labels" loaded={labels} empty={!labels.data?.length} emptyText="No labels yet. Create one with “New label”; agents then put it on conversations.">
        <div className="table-wrap">
          <table>
            <thead><tr><th>Label</th><th>Colour</th><th><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>{labels.data?.map((l) => (
              <tr key={l.id}>
                <td><LabelChip name={l.name} color={l.color} /></td><td className="mono">{l.color}</td>
                <RowActions name={l.name} onEdit={() => rows.edit(l)} onDelete={() => rows.setDeleting(l)} />
              </tr>))}</tbody>
          </table>
        </div>
      </States>
    </RowsPage>
  );
}

function LabelForm({ api, label, onDone }: { api: Api; label: Label | null; onDone: (text: string | null) => void }) {
  const [name, setName] = useState(label?.name ?? '');
  const [color, setColor] = useState(label?.color ?? '#0f766e');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ref = useDialog<HTMLFormElement>(() => onDone(null));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), color };
    const r = label
      ? await call(() => api.PATCH('/api/v1/labels/{id}', { params: { path: { id: label.id } }, body }), 'Could not save the label')
      : await call(() => api.POST('/api/v1/labels', { body }), 'Could not create the label');
    setBusy(false);
    if (r.error) setError(r.error); else onDone(label ? `Label ${body.name} was saved.` : `Label ${body.name} was created.`);
  };

  const title = label ? `Edit label ${label.name}` : 'New label';
  return (
    <form ref={ref} className="panel form" onSubmit={submit} aria-label={title}>
      <h2>{title}</h2>
      <div className="form-grid">
        <label>Label name<input required maxLength={50} value={name} onChange={(e) => setName(e.target.value)} autoFocus /></label>
        <label>Colour<input type="color" value={color} onChange={(e) => setColor(e.target.value)} /></label>
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      <div className="row">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Saving…' : label ? 'Save' : 'Create label'}</button>
        <button type="button" className="ghost" onClick={() => onDone(null)}>Cancel</button>
      </div>
    </form>
  );
}
