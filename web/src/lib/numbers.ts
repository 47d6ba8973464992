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

/** "Sales (+1 5550100)", or whichever of the two is known. */
export function numberLabel(n: NumberNames): string {
  const p = numberPhone(n);
  const name = n.name.trim();
  return name && name !== p ? `${name} (${p})` : p;
}

/** The label of the business number with provider id `id`; the id itself when it is not listed. */
export function labelForNumber(numbers: readonly NumberNames[], id: string | null | undefined): string {
  if (!id) return '';
  const n = numbers.find((x) => x.phone_number_id === id);
  return n ? numberLabel(n) : id;
}
