// The reply box's template picker: the number's approved templates
// (searchable, with category and language), the chosen one's body previewed
// with its parameters filled live, one field per placeholder. A number
// without a catalog (none synced, no webhook yet) gets the name typed.
import { useEffect, useMemo, useState } from 'react';
import type { components } from '../api/schema';
import { errorText, type Api } from '../api/client';
import { fillPlaceholders, matchTemplates, parametersFilled, placeholders, sortTemplates, templateBody } from '../lib/templates';

type TemplateOut = components['schemas']['TemplateOut'];
/** A template reply, as `POST /conversations/{id}/reply` takes it. */
export type TemplateChoice = { name: string; language: string; parameters: string[] };

/** Reports the template reply to send, or null until one is chosen and every parameter filled. */
export function TemplatePicker({ api, number, reload, onChange }: {
  api: Api; number: string; reload: number; onChange: (choice: TemplateChoice | null) => void;
}) {
  const [catalog, setCatalog] = useState<TemplateOut[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<TemplateOut | null>(null);
  const [values, setValues] = useState<string[]>([]);
  const [typed, setTyped] = useState({ name: '', language: 'en', parameters: '' });

  useEffect(() => {
    let live = true;
    api.GET('/api/v1/templates', { params: { query: { number, status: 'APPROVED' } } })
      .then(({ data, error }) => {
        if (!live) return;
        if (data) { setCatalog(sortTemplates(data)); setError(null); } else setError(errorText(error, 'Could not load the templates'));
      }, (err: unknown) => { if (live) setError(errorText(err, 'Could not load the templates')); });
    return () => { live = false; };
  }, [api, number, reload]);
  // A reload that no longer lists the chosen template (paused, deleted) drops it.
  useEffect(() => {
    if (chosen && catalog && !catalog.some((t) => t.id === chosen.id)) setChosen(null);
  }, [catalog, chosen]);

  const body = chosen ? templateBody(chosen.components) ?? '' : '';
  const names = useMemo(() => placeholders(body), [body]);
  const shown = useMemo(() => matchTemplates(catalog ?? [], query), [catalog, query]);
  const manual = catalog !== null && catalog.length === 0;

  useEffect(() => {
    if (manual) {
      const name = typed.name.trim();
      onChange(name ? { name, language: typed.language.trim() || 'en', parameters: typed.parameters.split('\n').map((p) => p.trim()).filter(Boolean) } : null);
    } else {
      onChange(chosen && parametersFilled(values, names.length)
        ? { name: chosen.name, language: chosen.language, parameters: values.slice(0, names.length).map((v) => v.trim()) } : null);
    }
  }, [manual, typed, chosen, values, names, onChange]);

  const choose = (t: TemplateOut) => {
    setChosen(t);
    setValues([]);
  };

  if (error && catalog === null) return <p className="error" role="alert">{error}</p>;
  if (catalog === null) return <p className="muted small" aria-busy="true">Loading templates…</p>;
  if (manual) {
    return (
      <div className="template-fields" data-testid="template-manual">
        <p className="muted small wide">No approved template in this number’s catalog (sync it on the Templates page): type the template.</p>
        <label>Template<input data-reply-focus value={typed.name} onChange={(e) => setTyped({ ...typed, name: e.target.value })} placeholder="e.g. order_update" /></label>
        <label>Language<input value={typed.language} onChange={(e) => setTyped({ ...typed, language: e.target.value })} placeholder="en" /></label>
        <label className="wide">Parameters, one a line<textarea rows={2} value={typed.parameters} onChange={(e) => setTyped({ ...typed, parameters: e.target.value })} /></label>
      </div>
    );
  }
  return (
    <div className="template-picker" data-testid="template-picker">
      {chosen ? (
        <div className="template-chosen">
          <div className="template-chosen-head">
            <strong className="mono">{chosen.name}</strong>
            <span className="muted small">{[chosen.language, chosen.category].filter(Boolean).join(' · ')}</span>
            <button type="button" className="link" onClick={() => setChosen(null)}>Change template</button>
          </div>
          <p className="template-preview" data-testid="template-preview" aria-live="polite">{fillPlaceholders(body, values) || <em className="muted">(no body text)</em>}</p>
          {names.length > 0 && (
            <div className="template-params">
              {names.map((p, i) => (
                <label key={p}>{`Parameter {{${p}}}`}
                  <input data-reply-focus={i === 0 ? true : undefined} value={values[i] ?? ''} required
                    onChange={(e) => { const next = [...values]; next[i] = e.target.value; setValues(next); }} />
                </label>
              ))}
            </div>
          )}
        </div>
      ) : (
        <>
          <input type="search" data-reply-focus aria-label="Search templates" placeholder={`Search ${catalog.length} approved template${catalog.length === 1 ? '' : 's'}…`}
            value={query} onChange={(e) => setQuery(e.target.value)} />
          <ul className="template-list" aria-label="Approved templates">
            {shown.length === 0 && <li className="muted small">No approved template matches.</li>}
            {shown.map((t) => (
              <li key={t.id}>
                <button type="button" className="template-option" data-testid={`pick-${t.name}-${t.language}`} onClick={() => choose(t)}>
                  <span className="template-option-head"><strong className="mono">{t.name}</strong>
                    <span className="chip-lite">{t.language}</span>{t.category && <span className="chip-lite">{t.category}</span>}</span>
                  <span className="muted small template-option-body">{templateBody(t.components) ?? '(no body text)'}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
