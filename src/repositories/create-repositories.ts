import type { DbClient } from "./common/db-client.ts";
import { ActionRepository } from "./action.ts";
import { ArtifactRepository } from "./artifact.ts";
import { EnforcementRepository } from "./enforcement.ts";
import { EventRepository } from "./event.ts";
import { ExecutionRepository } from "./execution.ts";
import { IdentityRepository } from "./identity.ts";
import { InquiryRepository } from "./inquiry.ts";
import { KeyRepository } from "./key.ts";
import { NotificationRepository } from "./notification.ts";
import { PackInstallationRepository } from "./pack-installation.ts";
import { PackTestRepository } from "./pack-test.ts";
import { PackRepository } from "./pack.ts";
import { PermissionAssignmentRepository } from "./permission-assignment.ts";
import { PermissionSetRepository } from "./permission-set.ts";
import { PolicyRepository } from "./policy.ts";
import { QueueStatsRepository } from "./queue-stats.ts";
import { RuleRepository } from "./rule.ts";
import { RuntimeRepository } from "./runtime.ts";
import { SensorRepository } from "./sensor.ts";
import { TriggerRepository } from "./trigger.ts";
import { WebhookEventLogRepository } from "./webhook-event-log.ts";
import { WebhookRateLimitRepository } from "./webhook-rate-limit.ts";
import { WorkerRepository } from "./worker.ts";
import { WorkflowDefinitionRepository } from "./workflow-definition.ts";
import { WorkflowExecutionRepository } from "./workflow-execution.ts";

/**
 * Every attune repository, bound to one Prisma client and so to one schema:
 * the same code runs in `attune`, a tenant schema or a test schema. Pass the
 * `tx` of `prisma.$transaction(async (tx) => ...)` to get repositories whose
 * calls all belong to that transaction. Construction is cheap (no I/O).
 */
export function createRepositories(db: DbClient) {
  return {
    packs: new PackRepository(db),
    packInstallations: new PackInstallationRepository(db),
    packTests: new PackTestRepository(db),
    runtimes: new RuntimeRepository(db),
    workers: new WorkerRepository(db),
    triggers: new TriggerRepository(db),
    sensors: new SensorRepository(db),
    actions: new ActionRepository(db),
    policies: new PolicyRepository(db),
    rules: new RuleRepository(db),
    events: new EventRepository(db),
    enforcements: new EnforcementRepository(db),
    executions: new ExecutionRepository(db),
    inquiries: new InquiryRepository(db),
    identities: new IdentityRepository(db),
    permissionSets: new PermissionSetRepository(db),
    permissionAssignments: new PermissionAssignmentRepository(db),
    keys: new KeyRepository(db),
    notifications: new NotificationRepository(db),
    artifacts: new ArtifactRepository(db),
    queueStats: new QueueStatsRepository(db),
    workflowDefinitions: new WorkflowDefinitionRepository(db),
    workflowExecutions: new WorkflowExecutionRepository(db),
    webhookEventLogs: new WebhookEventLogRepository(db),
    webhookRateLimits: new WebhookRateLimitRepository(db),
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
