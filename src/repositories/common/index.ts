// What a repository is built from (its field validators are in input-validation.ts).
export { catalogRepository } from "./catalog-repository.ts";
export { inTransaction, type DbClient, type TransactionOptions } from "./db-client.ts";
export { editableRepository } from "./editable-repository.ts";
export { toId, type Id } from "./ids.ts";
export { modelInput } from "./model-input.ts";
export { modelRepository } from "./model-repository.ts";
export { BY_REF, NEWEST_FIRST } from "./orders.ts";
export { MAX_PER_PAGE, type Page, type PageRequest } from "./pagination.ts";
export { textSearchWhere } from "./text-search.ts";
export { withErrorMapping } from "./with-error-mapping.ts";
