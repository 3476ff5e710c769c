/** Trimmed text, with inner runs of whitespace collapsed; null when nothing is left. */
export function clean(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = (typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value)).replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}

/** Email addresses compare case-insensitively in practice; stored trimmed and lower-cased. */
export function cleanEmail(value: unknown): string | null {
  return clean(value)?.toLowerCase() ?? null;
}

/** "Ada King Lovelace" → first "Ada", last "King Lovelace"; a one-word name is a first name. */
export function splitName(fullName: string | null): { firstName: string | null; lastName: string | null } {
  if (!fullName) return { firstName: null, lastName: null };
  const [first, ...rest] = fullName.split(' ');
  return { firstName: first || null, lastName: rest.join(' ') || null };
}

export function joinName(firstName: string | null, lastName: string | null): string | null {
  return [firstName, lastName].filter(Boolean).join(' ') || null;
}

/** Fills whichever name form is missing from the other, so every lead has all three when it has any. */
export function completeNames(names: { firstName: string | null; lastName: string | null; fullName: string | null }) {
  if (!names.firstName && !names.lastName) return { ...splitName(names.fullName), fullName: names.fullName };
  return { firstName: names.firstName, lastName: names.lastName, fullName: names.fullName ?? joinName(names.firstName, names.lastName) };
}
