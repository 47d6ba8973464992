// Business numbers for people: by their name and display phone, never by the
// provider's raw phone number id when the API gives anything better.
import type { NumberOut } from '../api/client';
import { phone } from './format';

type NumberNames = Pick<NumberOut, 'phone_number_id' | 'display_phone' | 'name'>;

/** The number's display phone, formatted ("+1 5550100"), else its id. */
export function numberPhone(n: NumberNames): string {
  const p = n.display_phone.trim();
  return p ? phone(p) : n.phone_number_id;
}

/** The number's name, unless it only repeats the id or the phone. */
function ownName(n: NumberNames): string {
  const name = n.name.trim();
  return name === n.phone_number_id || name === n.display_phone.trim() ? '' : name;
}

/** "Sales (+1 5550100)", or whichever of the two is known. */
export function numberLabel(n: NumberNames): string {
  const p = numberPhone(n);
  const name = ownName(n);
  return name ? `${name} (${p})` : p;
}

/** The short form for a list row: the name, else the phone. */
export function numberShort(n: NumberNames): string {
  return ownName(n) || numberPhone(n);
}

/** The label (or `short` form) of the business number with provider id `id`; the id itself when it is not listed. */
export function labelForNumber(numbers: readonly NumberNames[], id: string | null | undefined, { short = false } = {}): string {
  if (!id) return '';
  const n = numbers.find((x) => x.phone_number_id === id);
  return n ? (short ? numberShort(n) : numberLabel(n)) : id;
}
