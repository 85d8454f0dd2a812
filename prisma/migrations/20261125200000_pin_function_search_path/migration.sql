-- Pin every function's search_path, so that the functions and the triggers
-- that call them resolve their tables and pgcrypto whatever the caller's
-- search_path: with "attune, public" (the original attune services' setting)
-- gen_random_bytes, which lives in the shared "extensions" schema, was not
-- found.
--
-- SET search_path FROM CURRENT stores the value in effect while this migration
-- runs. Under attune-db's runner that is already "<schema>, extensions,
-- public"; under `prisma migrate deploy` it is only "<schema>". So it is set
-- first from current_schema() (the schema being migrated, under either), and
-- this file still names no application schema: each schema's functions pin
-- their own. The session-level setting outlives the statement in both
-- runners, and a failed migration rolls it back.
SELECT set_config('search_path', format('%I, extensions, public', current_schema()), false);

ALTER FUNCTION update_updated_column() SET search_path FROM CURRENT;
ALTER FUNCTION validate_key_owner() SET search_path FROM CURRENT;
ALTER FUNCTION notify_on_insert() SET search_path FROM CURRENT;
ALTER FUNCTION notify_execution_change() SET search_path FROM CURRENT;
ALTER FUNCTION generate_webhook_key() SET search_path FROM CURRENT;
ALTER FUNCTION generate_webhook_hmac_secret() SET search_path FROM CURRENT;
ALTER FUNCTION enable_trigger_webhook(BIGINT, JSONB) SET search_path FROM CURRENT;
ALTER FUNCTION disable_trigger_webhook(BIGINT) SET search_path FROM CURRENT;
ALTER FUNCTION regenerate_trigger_webhook_key(BIGINT) SET search_path FROM CURRENT;
ALTER FUNCTION check_webhook_rate_limit(VARCHAR, INTEGER, INTEGER) SET search_path FROM CURRENT;
ALTER FUNCTION check_webhook_ip_whitelist(INET, TEXT[]) SET search_path FROM CURRENT;
ALTER FUNCTION get_pack_test_stats(BIGINT) SET search_path FROM CURRENT;
ALTER FUNCTION pack_has_passing_tests(BIGINT, INTEGER) SET search_path FROM CURRENT;
ALTER FUNCTION update_pack_test_metadata() SET search_path FROM CURRENT;
