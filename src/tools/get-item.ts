import { z } from "zod";
import type { Store } from "../backends/store/store.js";
import { notFound } from "../errors/not-found.js";
import { stepTo } from "../errors/recovery-steps.js";
import { idArgument } from "./id-arguments.js";
import { listItemsTarget } from "./listing-inputs.js";
import { defineTool } from "./tool-definition.js";

const itemData = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  price_cents: z.number().int(),
  created_at: z.string(),
});

/** Candidates read on each side of the id, per column and case variant (at most 12× this in all). */
const NEIGHBOURS_PER_SIDE = 20;

/** get_item: one catalogue item by id (or exact name), with similar ids and names on a miss. */
export function getItemTool(store: Store) {
  return defineTool({
    name: "get_item",
    title: "Get item",
    description:
      'Returns one catalogue item (id, name, description, price in cents) by its id, such as "item-001"; ' +
      "the item's exact name is accepted too. Errors: validation_error for an empty id; not_found when nothing " +
      "matches (similar_matches lists close ids and names when there are any, and a step lists the items).",
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    input: z.object({
      id: idArgument('The item id, e.g. "item-001", or its exact name.').pipe(
        z.string().min(1, { error: 'id must not be empty, e.g. "item-001"' }).max(200),
      ),
    }),
    output: itemData,
    async handler({ id }) {
      const byId = await store.getItem(id);
      // A miss reads a bounded neighbourhood, never the whole table: for a match by name, and for
      // "did you mean".
      const near = byId === undefined ? await store.itemNeighbours(id, NEIGHBOURS_PER_SIDE) : [];
      const named = near.find((candidate) => candidate.name.toLowerCase() === id.toLowerCase());
      const item = byId ?? (named === undefined ? undefined : await store.getItem(named.id));
      if (item !== undefined) {
        return {
          id: item.id,
          name: item.name,
          description: item.description,
          price_cents: item.priceCents,
          created_at: item.createdAt,
        };
      }
      throw notFound({
        resource_type: "item",
        identifier: id,
        candidates: [...near.map((candidate) => candidate.id), ...near.map((candidate) => candidate.name)],
        recovery_steps: [
          stepTo(listItemsTarget, {
            action: "List the items to find the right id",
            parameters: {},
            description: 'Add query (e.g. "mouse") to narrow the list by id, name or description.',
          }),
        ],
      });
    },
  });
}
