// Compile-time checks, run by `tsc --noEmit` (not by Jest): every zod shape a
// repository passes to Prisma must fit the model's type key for key. Each
// `@ts-expect-error` below fails the type check if the line it marks ever
// compiles, i.e. if a misspelt or missing field stopped being an error.
import { z } from "zod";
import { catalogRepository } from "../../src/repositories/common/catalog-repository.ts";
import { id } from "../../src/repositories/common/input-validation.ts";
import { modelInput } from "../../src/repositories/common/model-input.ts";
import { modelRepository } from "../../src/repositories/common/model-repository.ts";

const pack = z.object({ ref: z.string(), label: z.string(), version: z.string(), runtimeDeps: z.array(z.string()).optional() });

// The shapes as they are: they compile.
modelInput("pack", "create", pack);
modelInput("pack", "update", pack.partial());
modelInput("action", "where", z.object({ packId: id }));
export class Packs extends catalogRepository({ model: "pack", order: { ref: "asc" }, create: pack, update: pack.partial() }) {
  byLabel(label: string) {
    return this.findWhere({ label });
  }

  // @ts-expect-error a filter on a column the model does not have
  byLabl = (label: string) => this.findWhere(z.object({ labl: z.string() }).parse({ labl: label }));
}

// A renamed key (`runtimeDepz`) in a create, an update and a filter.
const renamed = pack.extend({ runtimeDepz: z.array(z.string()).optional() }).omit({ runtimeDeps: true });
// @ts-expect-error runtimeDepz is not a pack column
modelInput("pack", "create", renamed);
// @ts-expect-error runtimeDepz is not a pack column
modelInput("pack", "update", renamed.partial());
// @ts-expect-error packid is not an action column
modelInput("action", "where", z.object({ packid: id }));

// A required column left out (`version`), and a value of the wrong type.
// @ts-expect-error version is required by pack
modelInput("pack", "create", pack.omit({ version: true }));
// @ts-expect-error label is a string column
modelInput("pack", "update", z.object({ label: z.number() }));

// The same checks where a repository declares its inputs.
// @ts-expect-error runtimeDepz is not a pack column
export class BadCreate extends modelRepository({ model: "pack", order: { ref: "asc" }, create: renamed }) {}
// @ts-expect-error runtimeDepz is not a pack column
export class BadUpdate extends catalogRepository({ model: "pack", order: { ref: "asc" }, create: pack, update: renamed.partial() }) {}
