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

/** Every repository by the name `createRepositories` gives it: the one place names meet classes. */
const REPOSITORIES = {
  packs: PackRepository,
  packInstallations: PackInstallationRepository,
  packTests: PackTestRepository,
  runtimes: RuntimeRepository,
  workers: WorkerRepository,
  triggers: TriggerRepository,
  sensors: SensorRepository,
  actions: ActionRepository,
  policies: PolicyRepository,
  rules: RuleRepository,
  events: EventRepository,
  enforcements: EnforcementRepository,
  executions: ExecutionRepository,
  inquiries: InquiryRepository,
  identities: IdentityRepository,
  permissionSets: PermissionSetRepository,
  permissionAssignments: PermissionAssignmentRepository,
  keys: KeyRepository,
  notifications: NotificationRepository,
  artifacts: ArtifactRepository,
  queueStats: QueueStatsRepository,
  workflowDefinitions: WorkflowDefinitionRepository,
  workflowExecutions: WorkflowExecutionRepository,
  webhookEventLogs: WebhookEventLogRepository,
  webhookRateLimits: WebhookRateLimitRepository,
} as const;

export type Repositories = { readonly [Name in keyof typeof REPOSITORIES]: InstanceType<(typeof REPOSITORIES)[Name]> };

const CLIENT = Symbol("client");

/**
 * Holds one client's repositories; each is built when first read (a getter on
 * the prototype replaced by the instance's own value), so a call site that
 * uses one repository does not pay for 25.
 */
class LazyRepositories {
  readonly [CLIENT]: DbClient;

  constructor(db: DbClient) {
    this[CLIENT] = db;
  }
}
for (const [name, Repository] of Object.entries(REPOSITORIES)) {
  Object.defineProperty(LazyRepositories.prototype, name, {
    enumerable: true, // `for...in` lists every repository (Object.keys only those built)
    get(this: LazyRepositories) {
      const repository = new Repository(this[CLIENT]);
      Object.defineProperty(this, name, { value: repository, enumerable: true });
      return repository;
    },
  });
}

/**
 * Every attune repository, bound to one Prisma client and so to one schema:
 * the same code runs in `attune`, a tenant schema or a test schema. Pass the
 * `tx` of `prisma.$transaction(async (tx) => ...)` to get repositories whose
 * calls all belong to that transaction. Each repository is built on first
 * use (no I/O).
 */
export function createRepositories(db: DbClient): Repositories {
  return new LazyRepositories(db) as unknown as Repositories;
}
