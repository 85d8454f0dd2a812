-- Migration: Webhooks
-- Description: Webhook key generation, enable/disable/regenerate functions, request
--              log, rate-limit counters, IP allow-list check and webhook_stats view.
--              The trigger.webhook_* columns and the event webhook indexes are created
--              with their tables (event system migration).

-- ============================================================================
-- WEBHOOK KEYS
-- ============================================================================

-- wh_ + 32 lower-case characters (from 48 base64 characters of 36 random bytes,
-- with / + = removed); retried until unused. pgcrypto is reached via search_path.
CREATE FUNCTION generate_webhook_key()
RETURNS VARCHAR(64) AS $$
DECLARE
    key_prefix VARCHAR(3) := 'wh_';
    random_suffix TEXT;
    new_key VARCHAR(64);
    max_attempts INT := 10;
    attempt INT := 0;
BEGIN
    LOOP
        random_suffix := encode(gen_random_bytes(36), 'base64');
        random_suffix := REPLACE(random_suffix, '/', '');
        random_suffix := REPLACE(random_suffix, '+', '');
        random_suffix := REPLACE(random_suffix, '=', '');
        random_suffix := LOWER(LEFT(random_suffix, 32));
        new_key := key_prefix || random_suffix;

        IF NOT EXISTS (SELECT 1 FROM trigger WHERE webhook_key = new_key) THEN
            RETURN new_key;
        END IF;

        attempt := attempt + 1;
        IF attempt >= max_attempts THEN
            RAISE EXCEPTION 'Failed to generate unique webhook key after % attempts', max_attempts;
        END IF;
    END LOOP;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION generate_webhook_key() IS
    'Generates a unique webhook key with format wh_[32 alphanumeric chars].';

CREATE FUNCTION generate_webhook_hmac_secret()
RETURNS VARCHAR(128) AS $$
BEGIN
    RETURN encode(gen_random_bytes(64), 'hex');
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION generate_webhook_hmac_secret() IS 'Generates a 128-character hex secret for HMAC signatures.';

-- ============================================================================
-- ENABLE / DISABLE / REGENERATE
-- ============================================================================

CREATE FUNCTION enable_trigger_webhook(
    p_trigger_id BIGINT,
    p_config JSONB DEFAULT '{}'::jsonb
)
RETURNS TABLE(
    webhook_enabled BOOLEAN,
    webhook_key VARCHAR(64),
    webhook_url TEXT,
    webhook_config JSONB
) AS $$
DECLARE
    v_new_key VARCHAR(64);
    v_existing_key VARCHAR(64);
    v_config JSONB;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM trigger t WHERE t.id = p_trigger_id) THEN
        RAISE EXCEPTION 'Trigger with id % does not exist', p_trigger_id
            USING ERRCODE = 'no_data_found';
    END IF;

    SELECT t.webhook_key INTO v_existing_key FROM trigger t WHERE t.id = p_trigger_id;
    v_new_key := COALESCE(v_existing_key, generate_webhook_key());

    -- Defaults fill only the missing top-level keys.
    v_config := COALESCE(p_config, '{}'::jsonb) || jsonb_build_object(
        'hmac', COALESCE(p_config->'hmac', jsonb_build_object('enabled', false, 'algorithm', 'sha256')),
        'rate_limit', COALESCE(p_config->'rate_limit', jsonb_build_object('enabled', false)),
        'ip_whitelist', COALESCE(p_config->'ip_whitelist', jsonb_build_object('enabled', false, 'ips', '[]'::jsonb))
    );

    UPDATE trigger t
    SET webhook_enabled = TRUE,
        webhook_key = v_new_key,
        webhook_config = v_config,
        updated = NOW()
    WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT TRUE, v_new_key, '/api/v1/webhooks/' || v_new_key, v_config;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION enable_trigger_webhook(BIGINT, JSONB) IS
    'Enables webhooks for a trigger; keeps its key or generates one; merges p_config with defaults. Returns the relative webhook URL.';

CREATE FUNCTION disable_trigger_webhook(p_trigger_id BIGINT)
RETURNS BOOLEAN AS $$
BEGIN
    UPDATE trigger t
    SET webhook_enabled = FALSE,
        updated = NOW()
    WHERE t.id = p_trigger_id;

    IF NOT FOUND THEN
        RAISE EXCEPTION 'Trigger with id % does not exist', p_trigger_id
            USING ERRCODE = 'no_data_found';
    END IF;
    RETURN TRUE;
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION disable_trigger_webhook(BIGINT) IS
    'Disables webhooks for a trigger. The key and config are kept for audit purposes.';

CREATE FUNCTION regenerate_trigger_webhook_key(p_trigger_id BIGINT)
RETURNS TABLE(
    webhook_key VARCHAR(64),
    previous_key_revoked BOOLEAN
) AS $$
DECLARE
    v_old_key VARCHAR(64);
    v_new_key VARCHAR(64);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM trigger t WHERE t.id = p_trigger_id) THEN
        RAISE EXCEPTION 'Trigger with id % does not exist', p_trigger_id
            USING ERRCODE = 'no_data_found';
    END IF;

    SELECT t.webhook_key INTO v_old_key FROM trigger t WHERE t.id = p_trigger_id;
    v_new_key := generate_webhook_key();

    UPDATE trigger t
    SET webhook_key = v_new_key,
        updated = NOW()
    WHERE t.id = p_trigger_id;

    RETURN QUERY SELECT v_new_key, (v_old_key IS NOT NULL);
END;
$$ LANGUAGE plpgsql;

COMMENT ON FUNCTION regenerate_trigger_webhook_key(BIGINT) IS
    'Replaces the webhook key of a trigger; the old key stops working at once.';

-- ============================================================================
-- WEBHOOK EVENT LOG
-- ============================================================================

CREATE TABLE webhook_event_log (
    id BIGSERIAL PRIMARY KEY,
    trigger_id BIGINT NOT NULL REFERENCES trigger(id) ON DELETE CASCADE,
    trigger_ref VARCHAR(255) NOT NULL,
    webhook_key VARCHAR(64) NOT NULL,
    event_id BIGINT REFERENCES event(id) ON DELETE SET NULL,
    source_ip INET,
    user_agent TEXT,
    payload_size_bytes INTEGER,
    headers JSONB,
    status_code INTEGER NOT NULL,
    error_message TEXT,
    processing_time_ms INTEGER,
    hmac_verified BOOLEAN,
    rate_limited BOOLEAN DEFAULT FALSE,
    ip_allowed BOOLEAN,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE INDEX idx_webhook_event_log_trigger_id ON webhook_event_log(trigger_id);
CREATE INDEX idx_webhook_event_log_webhook_key ON webhook_event_log(webhook_key);
CREATE INDEX idx_webhook_event_log_created ON webhook_event_log(created DESC);
CREATE INDEX idx_webhook_event_log_status ON webhook_event_log(status_code);
CREATE INDEX idx_webhook_event_log_source_ip ON webhook_event_log(source_ip);

COMMENT ON TABLE webhook_event_log IS 'One row per incoming webhook request (audit and analytics)';

-- ============================================================================
-- WEBHOOK RATE LIMIT
-- ============================================================================

CREATE TABLE webhook_rate_limit (
    id BIGSERIAL PRIMARY KEY,
    webhook_key VARCHAR(64) NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    request_count INTEGER NOT NULL DEFAULT 1,
    created TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    updated TIMESTAMPTZ NOT NULL DEFAULT NOW(),
    UNIQUE (webhook_key, window_start)
);

CREATE INDEX idx_webhook_rate_limit_key ON webhook_rate_limit(webhook_key);
CREATE INDEX idx_webhook_rate_limit_window ON webhook_rate_limit(window_start DESC);

COMMENT ON TABLE webhook_rate_limit IS 'Request counter per webhook key and time window (updated is set by check_webhook_rate_limit)';

-- Counts one request in the current window; true while within p_max_requests.
CREATE FUNCTION check_webhook_rate_limit(
    p_webhook_key VARCHAR(64),
    p_max_requests INTEGER,
    p_window_seconds INTEGER
)
RETURNS BOOLEAN AS $$
DECLARE
    v_window_start TIMESTAMPTZ;
    v_request_count INTEGER;
BEGIN
    v_window_start := date_trunc('minute', NOW()) -
        ((EXTRACT(EPOCH FROM date_trunc('minute', NOW()))::INTEGER % p_window_seconds) || ' seconds')::INTERVAL;

    INSERT INTO webhook_rate_limit (webhook_key, window_start, request_count)
    VALUES (p_webhook_key, v_window_start, 1)
    ON CONFLICT (webhook_key, window_start)
    DO UPDATE SET
        request_count = webhook_rate_limit.request_count + 1,
        updated = NOW()
    RETURNING request_count INTO v_request_count;

    DELETE FROM webhook_rate_limit WHERE window_start < NOW() - INTERVAL '1 hour';

    RETURN v_request_count <= p_max_requests;
END;
$$ LANGUAGE plpgsql;

-- True when p_source_ip is inside any entry (single IP or CIDR) of p_whitelist.
CREATE FUNCTION check_webhook_ip_whitelist(
    p_source_ip INET,
    p_whitelist TEXT[]
)
RETURNS BOOLEAN AS $$
DECLARE
    v_allowed_cidr TEXT;
BEGIN
    IF p_whitelist IS NULL OR array_length(p_whitelist, 1) IS NULL THEN
        RETURN FALSE;
    END IF;
    FOREACH v_allowed_cidr IN ARRAY p_whitelist
    LOOP
        IF p_source_ip <<= v_allowed_cidr::INET THEN
            RETURN TRUE;
        END IF;
    END LOOP;
    RETURN FALSE;
END;
$$ LANGUAGE plpgsql;

-- ============================================================================
-- WEBHOOK STATS
-- ============================================================================

CREATE VIEW webhook_stats AS
SELECT
    t.id AS trigger_id,
    t.ref AS trigger_ref,
    t.webhook_enabled,
    t.webhook_key,
    t.webhook_config,
    t.created AS webhook_created_at,
    COUNT(e.id) AS total_events,
    MAX(e.created) AS last_event_at,
    MIN(e.created) AS first_event_at
FROM trigger t
LEFT JOIN event e ON
    e.trigger = t.id
    AND (e.config->>'source') = 'webhook'
WHERE t.webhook_enabled = TRUE
GROUP BY t.id, t.ref, t.webhook_enabled, t.webhook_key, t.webhook_config, t.created;

COMMENT ON VIEW webhook_stats IS
    'Statistics for webhook-enabled triggers (webhook_created_at is the trigger''s creation time).';

-- Grants for the API role, only where that role exists.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'attune_api') THEN
        GRANT SELECT, INSERT ON webhook_event_log TO attune_api;
        GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_rate_limit TO attune_api;
        GRANT USAGE, SELECT ON SEQUENCE webhook_event_log_id_seq, webhook_rate_limit_id_seq TO attune_api;
    END IF;
END $$;
