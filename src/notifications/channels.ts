/** The channel the execution trigger notifies on (database-wide, like every channel). */
export const ATTUNE_NOTIFICATIONS_CHANNEL = "attune_notifications";

/** The channel `executions.updateStatus()` records status changes on (a `notification` row, NOTIFY'd by its trigger). */
export const EXECUTION_STATUS_CHANGED_CHANNEL = "execution_status_changed";
