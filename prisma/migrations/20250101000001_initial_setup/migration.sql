-- Attune: initial setup (extensions, enum types, shared trigger function).
-- Unqualified on purpose: every object lands in the schema chosen at connect time
-- (first on search_path). Nothing here names a schema except the shared
-- "extensions" schema, which is database-wide by design.

-- Extensions are database-wide: keep them in one shared schema that every
-- connection's search_path reaches, never in an application or test schema
-- (dropping that schema would take pgcrypto away from every other schema).
CREATE SCHEMA IF NOT EXISTS extensions;
CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA extensions;
CREATE EXTENSION IF NOT EXISTS "pgcrypto" WITH SCHEMA extensions;

CREATE TYPE runtime_type_enum AS ENUM ('action', 'sensor');
COMMENT ON TYPE runtime_type_enum IS 'Type of runtime environment';

CREATE TYPE worker_type_enum AS ENUM ('local', 'remote', 'container');
COMMENT ON TYPE worker_type_enum IS 'Type of worker deployment';

CREATE TYPE worker_status_enum AS ENUM ('active', 'inactive', 'busy', 'error');
COMMENT ON TYPE worker_status_enum IS 'Worker operational status';

CREATE TYPE enforcement_status_enum AS ENUM ('created', 'processed', 'disabled');
COMMENT ON TYPE enforcement_status_enum IS 'Enforcement processing status';

CREATE TYPE enforcement_condition_enum AS ENUM ('any', 'all');
COMMENT ON TYPE enforcement_condition_enum IS 'Logical operator for conditions (OR/AND)';

CREATE TYPE execution_status_enum AS ENUM (
    'requested', 'scheduling', 'scheduled', 'running', 'completed',
    'failed', 'canceling', 'cancelled', 'timeout', 'abandoned'
);
COMMENT ON TYPE execution_status_enum IS 'Execution lifecycle status';

CREATE TYPE inquiry_status_enum AS ENUM ('pending', 'responded', 'timeout', 'cancelled');
COMMENT ON TYPE inquiry_status_enum IS 'Inquiry lifecycle status';

CREATE TYPE policy_method_enum AS ENUM ('cancel', 'enqueue');
COMMENT ON TYPE policy_method_enum IS 'Policy enforcement method';

CREATE TYPE owner_type_enum AS ENUM ('system', 'identity', 'pack', 'action', 'sensor');
COMMENT ON TYPE owner_type_enum IS 'Type of resource owner';

CREATE TYPE notification_status_enum AS ENUM ('created', 'queued', 'processing', 'error');
COMMENT ON TYPE notification_status_enum IS 'Notification processing state';

CREATE TYPE artifact_type_enum AS ENUM (
    'file_binary', 'file_datatable', 'file_image', 'file_text', 'other', 'progress', 'url'
);
COMMENT ON TYPE artifact_type_enum IS 'Type of artifact';

CREATE TYPE artifact_retention_enum AS ENUM ('versions', 'days', 'hours', 'minutes');
COMMENT ON TYPE artifact_retention_enum IS 'Type of retention policy';

-- Sets "updated" on every UPDATE (used by the update_<table>_updated triggers).
CREATE FUNCTION update_updated_column()
RETURNS TRIGGER AS $$
BEGIN
    NEW.updated = NOW();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
COMMENT ON FUNCTION update_updated_column() IS 'Automatically updates the updated timestamp on row modification';
