import { expect, test } from 'vitest';
import { averageText, csatBody, csatForm, csatText, csatTone } from './csat';

test('the form keeps a custom question only and shows the window in hours', () => {
  expect(csatForm({ enabled: true, question: 'How did we do?', custom_question: true, window_secs: 86_400 }))
    .toEqual({ enabled: true, question: 'How did we do?', windowHours: '24' });
  expect(csatForm({ enabled: false, question: 'default text', custom_question: false, window_secs: 3600 }).question).toBe('');
});

test('a form becomes the request, or names the wrong field', () => {
  expect(csatBody({ enabled: true, question: '  How did we do? ', windowHours: '2' }))
    .toEqual({ body: { enabled: true, window_secs: 7200, question: 'How did we do?' } });
  expect(csatBody({ enabled: false, question: '  ', windowHours: '24' })).toEqual({ body: { enabled: false, window_secs: 86_400 } });
  for (const bad of ['0', '169', '1.5', '', 'x']) {
    expect(csatBody({ enabled: true, question: '', windowHours: bad })).toHaveProperty('error');
  }
  expect(csatBody({ enabled: true, question: 'x'.repeat(1025), windowHours: '1' })).toHaveProperty('error');
});

test('a conversation\'s question reads in words with a tone', () => {
  expect(csatText({ state: 'answered', score: 4 })).toBe('Rated 4 of 5');
  expect(csatText({ state: 'asked' })).toMatch(/no answer yet/);
  expect(csatText(undefined)).toBe('');
  expect(csatTone({ state: 'answered', score: 5 })).toBe('ok');
  expect(csatTone({ state: 'answered', score: 2 })).toBe('bad');
  expect(csatTone({ state: 'answered', score: 3 })).toBe('none');
  expect(csatTone({ state: 'asked' })).toBe('none');
});

test('an average reads out of five; none is a dash', () => {
  expect(averageText(3.5)).toBe('3.5 / 5');
  expect(averageText(4)).toBe('4.0 / 5');
  expect(averageText(undefined)).toBe('—');
});
