/** `text` with LIKE's wildcards (`%`, `_`) and its escape character (`\`) escaped, so that it matches literally. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/**
 * A Prisma `where` for a case-insensitive substring search over `fields`
 * (`ILIKE '%text%'` on each, OR-ed), as the catalogue searches do. `text` is
 * matched literally: `%`, `_` and `\` are not wildcards.
 */
export function textSearchWhere<F extends string>(
  text: string,
  fields: readonly F[],
): { OR: { [K in F]?: { contains: string; mode: "insensitive" } }[] } {
  const contains = likeLiteral(text);
  return { OR: fields.map((field) => ({ [field]: { contains, mode: "insensitive" } }) as { [K in F]?: { contains: string; mode: "insensitive" } }) };
}
