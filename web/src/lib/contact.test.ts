import { expect, test } from 'vitest';
import { contactBsuid, contactInitials, contactName, contactPhone, contactSubline, isBsuid, username } from './contact';

const phoneUser = { wa_id: '4915112345678', profile_name: 'Ana Souza', user_id: 'DE.1502576394655801' };
const usernameOnly = { wa_id: 'DE.1502576394655828', user_id: 'DE.1502576394655828', username: '@kaiwagner' };

test('BSUIDs are told apart from phone numbers', () => {
  expect(isBsuid('DE.1502576394655843')).toBe(true);
  expect(isBsuid('4915112345678')).toBe(false);
  expect(isBsuid('')).toBe(false);
});

test('the phone comes from `phone`, or from a wa_id that is a number, never from a BSUID', () => {
  expect(contactPhone(phoneUser)).toBe('+49\u00a015112345678');
  expect(contactPhone(usernameOnly)).toBeNull();
  expect(contactPhone({ wa_id: 'DE.1', phone: '4915100000001' })).toBe('+49\u00a015100000001');
  expect(contactBsuid(usernameOnly)).toBe('DE.1502576394655828');
  expect(contactBsuid({ wa_id: 'US.99' })).toBe('US.99');
  expect(contactBsuid({ wa_id: '4915112345678' })).toBeNull();
});

test('the name is the profile name, else the username, else the phone, else the BSUID', () => {
  expect(contactName(phoneUser)).toBe('Ana Souza');
  expect(contactName(usernameOnly)).toBe('@kaiwagner');
  expect(contactName({ wa_id: 'DE.1', username: 'kai' })).toBe('@kai');
  expect(contactName({ wa_id: '4915112345678' })).toBe('+49\u00a015112345678');
  expect(contactName({ wa_id: 'DE.1502576394655843' })).toBe('DE.1502576394655843');
  expect(username({ username: ' ' })).toBeNull();
});

test('the second line shows what the name does not, and the BSUID only without a phone', () => {
  expect(contactSubline(phoneUser)).toBe('+49\u00a015112345678');
  expect(contactSubline({ ...phoneUser, username: '@ana' })).toBe('@ana · +49\u00a015112345678');
  expect(contactSubline(usernameOnly)).toBe('BSUID DE.1502576394655828');
  expect(contactSubline({ ...usernameOnly, profile_name: 'Kai Wagner' })).toBe('@kaiwagner · BSUID DE.1502576394655828');
  expect(contactSubline({ wa_id: '4915112345678' })).toBe('');
  expect(contactSubline({ wa_id: 'DE.1502576394655843' })).toBe('');
});

test('in the list, a username stands in for the BSUID', () => {
  expect(contactSubline({ ...usernameOnly, profile_name: 'Kai Wagner' }, { compact: true })).toBe('@kaiwagner');
  expect(contactSubline(usernameOnly, { compact: true })).toBe('');
  expect(contactSubline({ wa_id: 'DE.1', profile_name: 'Kai' }, { compact: true })).toBe('BSUID DE.1');
  expect(contactSubline({ ...phoneUser, username: '@ana' }, { compact: true })).toBe('@ana · +49\u00a015112345678');
});

test('initials come from the name, else the username', () => {
  expect(contactInitials(phoneUser)).toBe('AS');
  expect(contactInitials(usernameOnly)).toBe('K');
  expect(contactInitials({})).toBe('#');
});
