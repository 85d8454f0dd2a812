/**
 * A Prisma `where` for a case-insensitive substring search over `fields`
 * (`ILIKE '%text%'` on each, OR-ed), as the catalogue searches do.
 */
export function textSearchWhere<F extends string>(
  text: string,
  fields: readonly F[],
): { OR: { [K in F]?: { contains: string; mode: "insensitive" } }[] } {
  return { OR: fields.map((field) => ({ [field]: { contains: text, mode: "insensitive" } }) as { [K in F]?: { contains: string; mode: "insensitive" } }) };
}
