/** By ref: the catalogue entities' order. */
export const BY_REF = { ref: "asc" } as const;

/** Newest first; `id` breaks ties between rows created in the same transaction. */
export const NEWEST_FIRST = [{ created: "desc" as const }, { id: "desc" as const }];
