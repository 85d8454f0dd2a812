import { z } from "zod";
import { ValidationError } from "../../errors/validation-error.ts";

export const DEFAULT_PER_PAGE = 50;
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

const pageRequestSchema = z.object({
  page: z.number().int().min(0).default(0),
  perPage: z.number().int().min(1).max(MAX_PER_PAGE).default(DEFAULT_PER_PAGE),
});

/** Validated `{ skip, take }` for a page request. */
export function pageWindow(entity: string, request: PageRequest = {}): { page: number; perPage: number; skip: number; take: number } {
  const parsed = pageRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new ValidationError(
      entity,
      parsed.error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })),
    );
  }
  const { page, perPage } = parsed.data;
  return { page, perPage, skip: page * perPage, take: perPage };
}

/** Runs the page query and the count query together and assembles the page. */
export async function paginate<T>(
  entity: string,
  request: PageRequest | undefined,
  findMany: (window: { skip: number; take: number }) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Page<T>> {
  const window = pageWindow(entity, request);
  const [items, total] = await Promise.all([findMany({ skip: window.skip, take: window.take }), count()]);
  return { items, page: window.page, perPage: window.perPage, total };
}
