import { z } from "zod";
import type { Item, Store } from "../backends/store/store.js";
import { success } from "../errors/handler-result.js";
import { encodeCursor, nextPageStep, pageFields, pageOf, readCursor } from "./list-pages.js";
import { listItemsTarget } from "./listing-inputs.js";
import { givenFilters, matchesQuery } from "./list-query.js";
import { defineTool } from "./tool-definition.js";

const keyOf = (item: Item) => item.id;

/** list_items: the catalogue page by page, filtered by text; what get_item's not_found points to. */
export function listItemsTool(store: Store) {
  return defineTool({
    ...listItemsTarget,
    title: "List items",
    description:
      "Lists catalogue items (id, name, description, price in cents) by id, page by page. Filter by text in " +
      'the id, name or description (query, e.g. "mouse"). Use it to find an item\'s id for get_item. When ' +
      "next_cursor is not null, call again with it (and the same query) for the next page. Changes nothing.",
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    output: z.object({
      items: z.array(
        z.object({
          id: z.string(),
          name: z.string(),
          description: z.string(),
          price_cents: z.number().int(),
        }),
      ),
      ...pageFields,
    }),
    async handler({ query, limit, cursor }) {
      const filters = { query };
      const start = readCursor(listItemsTarget, filters, cursor, givenFilters(filters));
      const matching = (await store.listItems()).filter((item) =>
        matchesQuery(query, [item.id, item.name, item.description]),
      );
      const { records, lastKey } = pageOf(matching, keyOf, start, limit);
      const next = lastKey === undefined ? null : encodeCursor(listItemsTarget.name, filters, lastKey);
      return success(
        {
          items: records.map(({ id, name, description, priceCents }) => ({
            id,
            name,
            description,
            price_cents: priceCents,
          })),
          count: records.length,
          next_cursor: next,
        },
        {
          next_steps:
            next === null
              ? []
              : [nextPageStep(listItemsTarget, { ...givenFilters(filters), limit, cursor: next }, "items")],
        },
      );
    },
  });
}
