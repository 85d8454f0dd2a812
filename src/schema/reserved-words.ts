/**
 * PostgreSQL's fully reserved key words (`pg_get_keywords()` with catcode 'R')
 * of every supported server, 15 to 18 (`system_user` since 16), plus the
 * system schema names that are not keywords. A test compares it with the
 * server's list.
 */
export const RESERVED_SCHEMA_NAMES: ReadonlySet<string> = new Set([
  "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case",
  "cast", "check", "collate", "column", "constraint", "create", "current_catalog", "current_date",
  "current_role", "current_time", "current_timestamp", "current_user", "default", "deferrable",
  "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from",
  "grant", "group", "having", "in", "initially", "intersect", "into", "lateral", "leading", "limit",
  "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order", "placing",
  "primary", "references", "returning", "select", "session_user", "some", "symmetric", "system_user", "table",
  "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where",
  "window", "with",
  // not key words, but schemas no application may take over
  "information_schema",
]);
