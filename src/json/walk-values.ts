/**
 * Visits `root` and, depth first, every value inside its plain objects and
 * arrays, with the path to it (`["meta", "tags", "0"]`) and its depth (root
 * is 0). Iterative, so a document of any depth is safe to walk. `visit`
 * returning `false` skips what that value holds. Other objects (Date, Buffer,
 * Prisma's Decimal and DbNull) are visited but not entered.
 */
export function walkValues(root: unknown, visit: (value: unknown, path: readonly string[], depth: number) => boolean | void): void {
  const stack: Array<{ value: unknown; path: readonly string[] }> = [{ value: root, path: [] }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const { value, path } = next;
    if (visit(value, path, path.length) === false || !isContainer(value)) continue;
    const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      stack.push({ value: item, path: [...path, key] });
    }
  }
}

function isContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== "object") return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
