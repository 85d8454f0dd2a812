// What the database's named constraints mean, for error messages. Constraint
// names come from the migrations (prisma/migrations); the drift test keeps
// the foreign keys and uniques in step with schema.prisma.

/** Each table's foreign key columns and the tables they point at. */
const FOREIGN_KEY_COLUMNS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  runtime: { pack: "pack" },
  worker: { runtime: "runtime" },
  permission_set: { pack: "pack" },
  permission_assignment: { identity: "identity", permset: "permission_set" },
  policy: { pack: "pack", action: "action" },
  key: { owner_identity: "identity", owner_pack: "pack", owner_action: "action", owner_sensor: "sensor" },
  trigger: { pack: "pack" },
  sensor: { pack: "pack", runtime: "runtime", trigger: "trigger" },
  event: { trigger: "trigger", source: "sensor" },
  enforcement: { rule: "rule", event: "event" },
  action: { pack: "pack", runtime: "runtime", workflow_def: "workflow_definition" },
  rule: { pack: "pack", action: "action", trigger: "trigger" },
  execution: { action: "action", parent: "execution", enforcement: "enforcement", executor: "identity" },
  inquiry: { execution: "execution", assigned_to: "identity" },
  workflow_definition: { pack: "pack" },
  workflow_execution: { execution: "execution", workflow_def: "workflow_definition" },
  queue_stats: { action_id: "action" },
  webhook_event_log: { trigger_id: "trigger", event_id: "event" },
  pack_test_execution: { pack_id: "pack" },
  pack_installation: { pack_id: "pack", installed_by: "identity" },
};

/** Foreign key name (`<table>_<column>_fkey`) -> `child.column -> parent`. */
export const FOREIGN_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FOREIGN_KEY_COLUMNS).flatMap(([table, columns]) =>
    Object.entries(columns).map(([column, parent]) => [`${table}_${column}_fkey`, `${table}.${column} -> ${parent}`]),
  ),
);

/** Unique constraint / unique index name -> the repository fields it covers. */
export const UNIQUE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pack_ref_key: ["ref"],
  runtime_ref_key: ["ref"],
  identity_login_key: ["login"],
  permission_set_ref_key: ["ref"],
  unique_identity_permset: ["identityId", "permissionSetId"],
  policy_ref_key: ["ref"],
  key_ref_key: ["ref"],
  idx_key_unique: ["ownerType", "owner", "name"],
  trigger_ref_key: ["ref"],
  trigger_webhook_key_key: ["webhookKey"],
  sensor_ref_key: ["ref"],
  action_ref_key: ["ref"],
  rule_ref_key: ["ref"],
  workflow_definition_ref_key: ["ref"],
  queue_stats_pkey: ["actionId"],
  webhook_rate_limit_webhook_key_window_start_key: ["webhookKey", "windowStart"],
  pack_installation_unique_pack: ["packId"],
};

const PACK_SCOPED = 'ref must be "pack.name" in lower case (two non-empty parts, one dot)';

/** CHECK constraint name -> the rule in words. */
export const CHECK_RULES: Readonly<Record<string, string>> = {
  pack_ref_lowercase: "pack ref must be lower-case",
  pack_ref_format: "pack ref must start with a letter and be at least 2 characters of [a-z0-9_-], without dots",
  pack_version_semver: 'pack version must be a semantic version such as "1.2.3"',
  runtime_ref_lowercase: "runtime ref must be lower-case",
  runtime_ref_format: 'runtime ref must be "pack.action.name" or "pack.sensor.name"',
  worker_port_range: "worker port must be between 1 and 65535",
  permission_set_ref_lowercase: "permission set ref must be lower-case",
  permission_set_ref_format: `permission set ${PACK_SCOPED}`,
  policy_ref_lowercase: "policy ref must be lower-case",
  policy_ref_format: `policy ${PACK_SCOPED}`,
  policy_threshold_positive: "policy threshold must be greater than 0",
  key_ref_lowercase: "key ref must be lower-case",
  key_ref_format: 'key ref must be "name" or "owner.name"',
  trigger_ref_lowercase: "trigger ref must be lower-case",
  trigger_ref_format: `trigger ${PACK_SCOPED}`,
  sensor_ref_lowercase: "sensor ref must be lower-case",
  sensor_ref_format: `sensor ${PACK_SCOPED}`,
  enforcement_condition_check: 'enforcement condition must be "any" or "all"',
  action_ref_lowercase: "action ref must be lower-case",
  action_ref_format: `action ${PACK_SCOPED}`,
  rule_ref_lowercase: "rule ref must be lower-case",
  rule_ref_format: `rule ${PACK_SCOPED}`,
  valid_test_counts: "test counts (total, passed, failed, skipped) must not be negative",
  valid_pass_rate: "pass rate must be between 0 and 1",
  valid_trigger_reason: "trigger reason must be one of install, update, manual, validation",
  pack_installation_source_type_check: "source type must be one of git, archive, local_directory, local_archive, registry",
  pack_installation_installation_method_check: "installation method must be one of manual, api, cli, auto",
};
