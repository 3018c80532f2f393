/** True when no query was given, or some field contains it, ignoring case. */
export function matchesQuery(query: string | undefined, fields: readonly string[]): boolean {
  if (query === undefined) return true;
  const needle = query.toLowerCase();
  return fields.some((field) => field.toLowerCase().includes(needle));
}

/** The filters that were given: a step or a cursor repeats them without the absent ones. */
export function givenFilters<T extends Record<string, unknown>>(filters: T): Partial<T> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as Partial<T>;
}
