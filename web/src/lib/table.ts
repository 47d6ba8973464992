// Tables that reflow into cards on a narrow screen: each cell carries its
// column's header as `data-label`, which the phone layout shows beside the
// value (styles.css) once the header row is hidden. Labels are set on the DOM
// by `labelTables`, so every table of every page is covered without each
// view repeating its headers.

/** One label per column from the header cells, a `colSpan` header covering several columns. */
export function columnLabels(headers: readonly { text: string; span: number }[]): string[] {
  const labels: string[] = [];
  for (const h of headers) {
    const text = h.text.replace(/\s+/g, ' ').trim();
    for (let i = 0; i < Math.max(1, h.span); i++) labels.push(text);
  }
  return labels;
}

/** The label of each cell of a row, by column, cells spanning columns taking the first one's. */
export function cellLabels(labels: readonly string[], spans: readonly number[]): string[] {
  let col = 0;
  return spans.map((span) => {
    const label = labels[col] ?? '';
    col += Math.max(1, span);
    return label;
  });
}

/** Sets `data-label` on the body cells of every table with a header row under `root`. */
export function labelTables(root: ParentNode): void {
  for (const table of root.querySelectorAll('table')) {
    const head = table.tHead?.rows[0];
    if (!head) continue;
    const labels = columnLabels([...head.cells].map((c) => ({ text: c.textContent ?? '', span: c.colSpan })));
    for (const body of table.tBodies) {
      for (const row of body.rows) {
        const cells = [...row.cells];
        cellLabels(labels, cells.map((c) => c.colSpan)).forEach((label, i) => {
          if (cells[i].dataset.label !== label) cells[i].dataset.label = label;
        });
      }
    }
  }
}
