import type pg from "pg";

/**
 * A names-only dump of everything in a schema that a test could change, so
 * that two schemas can be compared line by line: structure (relations,
 * columns, defaults, constraints, indexes, triggers and whether they are
 * enabled, rules, policies, views, functions with their bodies, security and
 * settings, types, domains, enum labels, operators, collations, statistics
 * objects, sequences' parameters), every ACL, option, comment and default
 * privilege, and the migration history. Written independently of the
 * provisioner's catalog-version check (which compares row versions, not
 * contents), to judge it. The schema's own label comment is left out: it
 * names the run that built it.
 */
export async function catalogDump(client: pg.ClientBase, schema: string): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await dumpOnce(client, schema);
    } catch (error) {
      // The catalogs of a server shared with another run change under the query: a relation of another
      // schema, dropped meanwhile, can be opened by a function evaluated before the join filtered it out.
      if (attempt >= 3 || !/could not open relation with OID/.test((error as Error).message)) throw error;
    }
  }
}

async function dumpOnce(client: pg.ClientBase, schema: string): Promise<string[]> {
  await client.query("BEGIN");
  try {
    // Names print unqualified when the schema is first on the search_path.
    await client.query(`SELECT set_config('search_path', $1, true)`, [`"${schema}"`]);
    const { rows } = await client.query<{ line: string }>(DUMP_SQL, [schema]);
    return rows.map((r) =>
      r.line
        // pg_get_indexdef() and a few others qualify names whatever the search_path.
        .replaceAll(`"${schema}".`, "<schema>.")
        .replaceAll(`${schema}.`, "<schema>.")
        // Functions pin their own schema on their search_path.
        .replaceAll(`search_path=${schema},`, "search_path=<schema>,")
        // Some PostgreSQL builds (this machine's Debian server among them) stamp every column's
        // attoptions with a creation counter, `pg_attver=...`: it differs between any two builds.
        .replace(/pg_attver=\d+,?/g, "")
        .replace("options={}", "options=-"),
    );
  } finally {
    await client.query("ROLLBACK");
  }
}

/** Rows per table and sequence state: what a pristine schema has none of. */
export async function dataDump(client: pg.ClientBase, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ line: string }>(
    `SELECT c.relname || ' rows=' || (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I.%I', $1::text, c.relname), false, true, '')))[1]::text AS line
       FROM pg_class c WHERE c.relnamespace = to_regnamespace($1) AND c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
     UNION ALL
     SELECT c.relname || ' sequence=' || query_to_xml(format('SELECT last_value, is_called FROM %I.%I', $1::text, c.relname), false, true, '')::text
       FROM pg_class c WHERE c.relnamespace = to_regnamespace($1) AND c.relkind = 'S'
     ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.line.replace(/\s+/g, " "));
}

const DUMP_SQL = `
WITH ns AS MATERIALIZED (SELECT oid, nspacl FROM pg_namespace WHERE nspname = $1),
rels AS MATERIALIZED (SELECT c.* FROM pg_class c WHERE c.relnamespace = (SELECT oid FROM ns)),
procs AS MATERIALIZED (SELECT p.* FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM ns)),
types AS MATERIALIZED (SELECT t.* FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM ns))
SELECT line FROM (
  SELECT 'schema acl ' || coalesce((SELECT nspacl::text FROM ns), '-')
  UNION ALL
  SELECT 'rel ' || relname || ' kind=' || relkind::text || ' persistence=' || relpersistence::text || ' acl=' || coalesce(relacl::text, '-')
         || ' options=' || coalesce(reloptions::text, '-') || ' replident=' || relreplident::text
         || ' rls=' || relrowsecurity || '/' || relforcerowsecurity || ' owner=' || relowner::regrole
         || ' comment=' || coalesce(obj_description(oid, 'pg_class'), '-')
    FROM rels
  UNION ALL
  SELECT 'col ' || r.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
         || ' identity=' || a.attidentity::text || ' generated=' || a.attgenerated::text
         || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' acl=' || coalesce(a.attacl::text, '-')
         || ' options=' || coalesce(a.attoptions::text, '-') || ' storage=' || a.attstorage::text
         || ' stats=' || coalesce(nullif(a.attstattarget::text, '-1'), 'default')
         || ' collation=' || coalesce((SELECT collname FROM pg_collation WHERE oid = a.attcollation), '-')
         || ' comment=' || coalesce(col_description(r.oid, a.attnum), '-')
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
  UNION ALL
  SELECT 'dropped-column ' || r.relname || '.' || a.attnum
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attisdropped
  UNION ALL
  SELECT 'con ' || coalesce(r.relname, t.typname) || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
         || ' deferrable=' || k.condeferrable || ' validated=' || k.convalidated
         || ' comment=' || coalesce(obj_description(k.oid, 'pg_constraint'), '-')
    FROM pg_constraint k LEFT JOIN rels r ON r.oid = k.conrelid LEFT JOIN types t ON t.oid = k.contypid
   WHERE k.connamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'idx ' || pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid || ' clustered=' || i.indisclustered
         || ' replident=' || i.indisreplident
    FROM pg_index i JOIN rels r ON r.oid = i.indrelid
  UNION ALL
  SELECT 'trg ' || r.relname || '.' || t.tgname || ' ' || pg_get_triggerdef(t.oid) || ' enabled=' || t.tgenabled::text
    FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
  UNION ALL
  SELECT 'rule ' || r.relname || '.' || w.rulename || ' ' || pg_get_ruledef(w.oid) || ' enabled=' || w.ev_enabled::text
    FROM pg_rewrite w JOIN rels r ON r.oid = w.ev_class WHERE w.rulename <> '_RETURN'
  UNION ALL
  SELECT 'view ' || relname || ' ' || pg_get_viewdef(oid) FROM rels WHERE relkind IN ('v', 'm')
  UNION ALL
  SELECT 'policy ' || r.relname || '.' || p.polname || ' cmd=' || p.polcmd::text || ' permissive=' || p.polpermissive
         || ' roles=' || p.polroles::text || ' using=' || coalesce(pg_get_expr(p.polqual, p.polrelid), '-')
         || ' check=' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '-')
    FROM pg_policy p JOIN rels r ON r.oid = p.polrelid
  UNION ALL
  SELECT 'fn ' || proname || '(' || pg_get_function_identity_arguments(oid) || ') returns ' || pg_get_function_result(oid)
         || ' lang=' || (SELECT lanname FROM pg_language WHERE oid = prolang) || ' body=' || md5(coalesce(prosrc, ''))
         || ' secdef=' || prosecdef || ' volatile=' || provolatile::text || ' strict=' || proisstrict || ' leakproof=' || proleakproof
         || ' parallel=' || proparallel::text || ' config=' || coalesce(proconfig::text, '-') || ' acl=' || coalesce(proacl::text, '-')
         || ' cost=' || procost || ' owner=' || proowner::regrole || ' comment=' || coalesce(obj_description(oid, 'pg_proc'), '-')
    FROM procs
  UNION ALL
  SELECT 'type ' || typname || ' type=' || typtype::text || ' base=' || format_type(typbasetype, typtypmod) || ' notnull=' || typnotnull
         || ' default=' || coalesce(typdefault, '-') || ' acl=' || coalesce(typacl::text, '-')
         || ' comment=' || coalesce(obj_description(oid, 'pg_type'), '-')
    FROM types
  UNION ALL
  SELECT 'enum ' || t.typname || ' ' || e.enumsortorder || ' ' || e.enumlabel
    FROM pg_enum e JOIN types t ON t.oid = e.enumtypid
  UNION ALL
  SELECT 'seq ' || r.relname || ' start=' || s.seqstart || ' inc=' || s.seqincrement || ' min=' || s.seqmin || ' max=' || s.seqmax
         || ' cache=' || s.seqcache || ' cycle=' || s.seqcycle || ' type=' || s.seqtypid::regtype
    FROM pg_sequence s JOIN rels r ON r.oid = s.seqrelid
  UNION ALL
  SELECT 'operator ' || oprname || '(' || format_type(oprleft, NULL) || ',' || format_type(oprright, NULL) || ') ' || oprcode::text
    FROM pg_operator WHERE oprnamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'collation ' || collname || ' provider=' || collprovider::text || ' deterministic=' || collisdeterministic
    FROM pg_collation WHERE collnamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'statistics ' || stxname || ' kinds=' || stxkind::text FROM pg_statistic_ext WHERE stxnamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'default-acl ' || defaclrole::regrole || ' ' || defaclobjtype::text || ' ' || defaclacl::text
    FROM pg_default_acl WHERE defaclnamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'conversion ' || conname FROM pg_conversion WHERE connamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'text-search ' || cfgname FROM pg_ts_config WHERE cfgnamespace = (SELECT oid FROM ns)
  UNION ALL
  SELECT 'publication ' || p.pubname || ' ' || r.relname
    FROM pg_publication_rel pr JOIN pg_publication p ON p.oid = pr.prpubid JOIN rels r ON r.oid = pr.prrelid
  UNION ALL
  SELECT 'inherits ' || r.relname || ' from ' || i.inhparent::regclass FROM pg_inherits i JOIN rels r ON r.oid = i.inhrelid
  UNION ALL
  SELECT 'migration ' || (xpath('/row/m/text()', x))[1]::text
    FROM unnest(xpath('/table/row', query_to_xml(format(
      'SELECT migration_name || '' '' || checksum || '' finished='' || (finished_at IS NOT NULL) || '' rolled_back='' || (rolled_back_at IS NOT NULL) || '' steps='' || applied_steps_count AS m FROM %I._prisma_migrations',
      $1::text), false, false, ''))) AS x
) lines(line)
ORDER BY line`;
