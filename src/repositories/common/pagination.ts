import { z } from "zod";
import { parseInput } from "./input-validation.ts";

/** The most rows a page, or a finder, returns. */
export const MAX_PER_PAGE = 1000;

export interface PageRequest {
  /** 0-based page number. Default is 0. */
  readonly page?: number;
  /** Rows per page, 1 to 1000. Default is 50. */
  readonly perPage?: number;
}

export interface Page<T> {
  readonly items: T[];
  readonly page: number;
  readonly perPage: number;
  /** Rows matching the query on all pages. */
  readonly total: number;
}

const pageRequest = z.object({
  page: z.number().int().min(0).default(0),
  perPage: z.number().int().min(1).max(MAX_PER_PAGE).default(50),
});

/** Validates the request, then runs the page query and the count query together and assembles the page. */
export async function paginate<T>(
  entity: string,
  request: PageRequest | undefined,
  findMany: (window: { skip: number; take: number }) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  const { page, perPage } = parseInput(entity, pageRequest, request ?? {});
  const [items, total] = await Promise.all([findMany({ skip: page * perPage, take: perPage }), count()]);
  return { items, page, perPage, total };
}
