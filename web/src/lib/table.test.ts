import { expect, test } from 'vitest';
import { cellLabels, columnLabels } from './table';

test('each column is labelled by its header, spans repeated, whitespace tidied', () => {
  expect(columnLabels([{ text: ' Name ', span: 1 }, { text: 'Both\n ways', span: 2 }, { text: '', span: 1 }]))
    .toEqual(['Name', 'Both ways', 'Both ways', '']);
});

test('a row’s cells take the label of the column they start in', () => {
  const labels = ['Name', 'Email', 'Role', 'Actions'];
  expect(cellLabels(labels, [1, 1, 1, 1])).toEqual(['Name', 'Email', 'Role', 'Actions']);
  expect(cellLabels(labels, [2, 1, 1])).toEqual(['Name', 'Role', 'Actions']);
  // A row with more cells than headers gets empty labels, never a wrong one.
  expect(cellLabels(['A'], [1, 1])).toEqual(['A', '']);
});
