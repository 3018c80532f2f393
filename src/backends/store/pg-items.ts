import type pg from "pg";

/** An item's keys, for did-you-mean candidates. */
export interface ItemKeys {
  readonly id: string;
  readonly name: string;
}

// Four range reads on the id and name indexes, in one round trip: the neighbours of the query on
// each side in index order, so a miss costs the same whatever the table's size.
const NEIGHBOURS_SQL = `
  (SELECT id, name FROM items WHERE id >= $1 ORDER BY id LIMIT $2)
  UNION ALL (SELECT id, name FROM items WHERE id < $1 ORDER BY id DESC LIMIT $2)
  UNION ALL (SELECT id, name FROM items WHERE name >= $1 ORDER BY name LIMIT $2)
  UNION ALL (SELECT id, name FROM items WHERE name < $1 ORDER BY name DESC LIMIT $2)`;

/**
 * The items next to `query` by id and by name, read as it was typed, lower-cased and capitalised
 * (names start with a capital), at most `perSide` on each side of each: the PostgreSQL side of
 * Store.itemNeighbours.
 */
export async function itemNeighbours(pool: pg.Pool, query: string, perSide: number): Promise<ItemKeys[]> {
  const lower = query.toLowerCase();
  const capitalised = lower.charAt(0).toUpperCase() + lower.slice(1);
  const found = new Map<string, ItemKeys>();
  for (const key of new Set([query, lower, capitalised])) {
    const { rows } = await pool.query<ItemKeys>(NEIGHBOURS_SQL, [key, perSide]);
    for (const row of rows) found.set(row.id, { id: row.id, name: row.name });
  }
  return [...found.values()];
}
