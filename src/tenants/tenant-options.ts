/** Where the tenant commands work, shared by all of them. */
export interface TenantOptions {
  /** Server URL (a `?schema=` in it is ignored). Default is `DATABASE_URL`. */
  readonly url?: string;
  /** Default is this package's `prisma/migrations`. */
  readonly migrationsDir?: string;
}

/** Which registered tenants a bulk command acts on. Default is every one. */
export interface TenantFilter {
  /** Only tenants whose name starts with this. */
  readonly prefix?: string;
  /** Only these tenants (names that are not registered are ignored). */
  readonly names?: readonly string[];
}

/** Options of the commands that visit many tenants. */
export interface BulkTenantOptions extends TenantOptions {
  readonly filter?: TenantFilter;
  /** Tenants worked on at once, one connection each. Default is 4. */
  readonly concurrency?: number;
  /** Called after each tenant. */
  readonly onProgress?: (progress: { readonly done: number; readonly total: number; readonly tenant: string }) => void;
}

export const DEFAULT_TENANT_CONCURRENCY = 4;
