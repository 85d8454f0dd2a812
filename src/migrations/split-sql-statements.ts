export interface SqlStatement {
  readonly text: string;
  /** Offset of the statement's first character in the script. */
  readonly start: number;
  /** 1-based line of the statement's first character. */
  readonly line: number;
}

/**
 * Splits a SQL script at top-level semicolons, honouring quotes, dollar-quoted
 * bodies and comments. Used only to report which statement of a migration
 * failed, so it needs to be right for PostgreSQL DDL, not for every dialect.
 */
export function splitSqlStatements(script: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const raw = script.slice(start, end);
    const lead = raw.length - raw.trimStart().length;
    const text = stripComments(raw).trim();
    if (text) {
      const at = start + lead;
      statements.push({ text: raw.trim(), start: at, line: script.slice(0, at).split("\n").length });
    }
    start = end + 1;
  };
  while (i < script.length) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === "-" && next === "-") {
      i = indexOrEnd(script, "\n", i);
    } else if (c === "/" && next === "*") {
      i = indexOrEnd(script, "*/", i + 2) + 2;
    } else if (c === "'" || c === '"') {
      i = closingQuote(script, c, i + 1);
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i))?.[0];
      i = tag ? indexOrEnd(script, tag, i + tag.length) + tag.length : i + 1;
    } else if (c === ";") {
      push(i);
      i++;
    } else {
      i++;
    }
  }
  push(script.length);
  return statements;
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at === -1 ? text.length : at;
}

function closingQuote(text: string, quote: string, from: number): number {
  let i = from;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

function stripComments(sql: string): string {
  return sql.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
}
