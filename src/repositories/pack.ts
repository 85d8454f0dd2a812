import { z } from "zod";
import type { Pack } from "../../prisma/generated/client.ts";
import { catalogRepository, textSearchWhere, type Page, type PageRequest } from "./common/index.ts";
import { indexedTextList, jsonInput, packRef, semver } from "./common/input-validation.ts";

const createInput = z.object({
  ref: packRef,
  label: z.string().min(1),
  description: z.string().nullish(),
  version: semver,
  confSchema: jsonInput.optional(),
  config: jsonInput.optional(),
  meta: jsonInput.optional(),
  tags: indexedTextList.optional(),
  runtimeDeps: indexedTextList.optional(),
  isStandard: z.boolean().optional(),
});
export type CreatePackInput = z.input<typeof createInput>;

const updateInput = createInput.omit({ ref: true }).partial();
export type UpdatePackInput = z.input<typeof updateInput>;

/**
 * Packs: bundles of actions, triggers, sensors and rules. Listed by ref.
 *
 * `delete` removes the pack and, through ON DELETE CASCADE, its runtimes,
 * triggers, sensors, actions, rules, policies, permission sets, workflows,
 * test runs and installation; it is refused with a ForeignKeyError naming the
 * relation while rows that do not cascade still point at it (executions of
 * its actions, keys it owns, events from its sensors...).
 */
export class PackRepository extends catalogRepository({ model: "pack", create: createInput, update: updateInput }) {
  async existsByRef(ref: string): Promise<boolean> {
    return (await this.db.pack.count({ where: { ref } })) > 0;
  }

  async findByTag(tag: string): Promise<Pack[]> {
    return this.findWhere({ tags: { has: tag } });
  }

  async findStandard(): Promise<Pack[]> {
    return this.findWhere({ isStandard: true });
  }

  /** Case-insensitive substring search over ref, label and description. */
  async search(text: string, page?: PageRequest): Promise<Page<Pack>> {
    return this.page(textSearchWhere(text, ["ref", "label", "description"]), page);
  }
}
