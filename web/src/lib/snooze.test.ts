import { expect, test } from 'vitest';
import { customUntil, interleave, localInputValue, snoozeChoices, snoozeMarkers, snoozedText, type Snooze } from './snooze';

const local = (y: number, mo: number, d: number, h: number, mi = 0) => new Date(y, mo - 1, d, h, mi);

test('the menu offers an hour, tonight and tomorrow morning', () => {
  const now = local(2026, 12, 4, 10, 30);
  const choices = snoozeChoices(now);
  expect(choices.map((c) => c.key)).toEqual(['hour', 'tonight', 'tomorrow']);
  expect(choices[0].until.getTime() - now.getTime()).toBe(3_600_000);
  expect(choices[1].until).toEqual(local(2026, 12, 4, 19));
  expect(choices[1].label).toBe('Tonight 19:00');
  expect(choices[2].until).toEqual(local(2026, 12, 5, 9));
});

test('tonight is left out when it is an hour or less away, and tomorrow crosses the month', () => {
  const now = local(2026, 12, 31, 18, 15);
  const choices = snoozeChoices(now);
  expect(choices.map((c) => c.key)).toEqual(['hour', 'tomorrow']);
  expect(choices[1].until).toEqual(local(2027, 1, 1, 9));
});

test('a custom time must be in the future and within a year', () => {
  const now = local(2026, 12, 4, 10);
  expect(customUntil('', now)).toEqual({ problem: 'Pick a date and time.' });
  expect(customUntil('2026-12-04T09:00', now)).toEqual({ problem: 'Pick a time in the future.' });
  expect(customUntil('2028-01-01T09:00', now)).toEqual({ problem: 'Pick a time within a year.' });
  expect(customUntil('2026-12-06T08:30', now)).toEqual({ until: local(2026, 12, 6, 8, 30) });
  expect(localInputValue(local(2026, 3, 7, 8, 5))).toBe('2026-03-07T08:05');
});

test('a snooze reads until when, today by the clock, later by weekday', () => {
  const now = local(2026, 12, 4, 10);
  expect(snoozedText(undefined, now)).toBeNull();
  expect(snoozedText(local(2026, 12, 4, 19).toISOString(), now)).toBe('Snoozed until 19:00');
  expect(snoozedText(local(2026, 12, 5, 9).toISOString(), now)).toMatch(/^Snoozed until \w{3} 09:00$/);
});

test('snoozes become timeline lines between the messages, in time order', () => {
  const now = local(2026, 12, 4, 12);
  const snoozes: Snooze[] = [
    { id: 1, agent_id: 7, agent_name: 'Ana', snoozed_at: local(2026, 12, 4, 10).toISOString(), until: local(2026, 12, 4, 19).toISOString(),
      ended_at: local(2026, 12, 4, 11).toISOString(), end_reason: 'customer' },
    { id: 2, snoozed_at: local(2026, 12, 4, 11, 30).toISOString(), until: local(2026, 12, 4, 13).toISOString() },
  ];
  const markers = snoozeMarkers(snoozes, now);
  expect(markers.map((m) => m.text)).toEqual([
    'Snoozed by Ana until 19:00',
    'Woke up: the customer wrote',
    'Snoozed by an integration until 13:00',
  ]);
  const messages = [{ at: local(2026, 12, 4, 9).toISOString() }, { at: local(2026, 12, 4, 11).toISOString() }];
  const merged = interleave(messages, (m) => m.at, markers);
  expect(merged.map((x) => ('text' in x ? x.text : `message ${x.at}`))).toEqual([
    `message ${messages[0].at}`,
    'Snoozed by Ana until 19:00',
    `message ${messages[1].at}`,
    'Woke up: the customer wrote',
    'Snoozed by an integration until 13:00',
  ]);
});
