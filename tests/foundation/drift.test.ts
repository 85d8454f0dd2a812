import fs from "node:fs";
import { prismaDatamodel, SCHEMA_PRISMA } from "../support/prisma-datamodel.ts";
import { detectDrift } from "../support/detect-drift.ts";
import { freshSchema, testSchema } from "../../src/testing/index.ts";
import { withClient } from "../support/pg.ts";

/** Array columns that are nullable in the database; Prisma has no optional lists. */
const NULLABLE_LISTS = [
  "workflow_definition.tags",
  "workflow_execution.current_tasks",
  "workflow_execution.completed_tasks",
  "workflow_execution.failed_tasks",
  "workflow_execution.skipped_tasks",
];

const drift = (schema: string, datamodel = prismaDatamodel()) =>
  withClient((client) => detectDrift(client, schema, datamodel, { nullableLists: NULLABLE_LISTS }), schema);

describe("the migrations and schema.prisma describe the same database", () => {
  it("has the 25 tables and 12 enums of the attune model", () => {
    const datamodel = prismaDatamodel();
    expect(datamodel.models).toHaveLength(25);
    expect(datamodel.enums).toHaveLength(12);
  });

  it("shows no drift on a freshly migrated schema", async () => {
    expect(await drift(testSchema().schema)).toEqual([]);
  });
});

describe("the drift check itself", () => {
  const schemaText = fs.readFileSync(SCHEMA_PRISMA, "utf8");
  const breakSchema = (from: RegExp, to: string) => {
    expect(schemaText).toMatch(from);
    return prismaDatamodel(schemaText.replace(from, to));
  };

  it("fails when schema.prisma changes a column, a default, an enum or a foreign key", async () => {
    const { schema } = testSchema();
    const problems = async (datamodel: ReturnType<typeof prismaDatamodel>) => (await drift(schema, datamodel)).join("\n");

    expect(await problems(breakSchema(/(\n\s+label\s+)String(\s)/, "$1String?$2"))).toMatch(/column \w+\.label: NOT NULL in the database, optional in the Prisma schema/);
    expect(await problems(breakSchema(/@map\("pack_ref"\)/, '@map("pack_reference")'))).toMatch(/pack_reference: in the Prisma schema .*not in the database/);
    expect(await problems(breakSchema(/\n(\s+)canceling\n/, "\n$1canceling\n$1paused\n"))).toMatch(/enum execution_status_enum: values are \[.*\] in the database, \[.*paused.*\] in the Prisma schema/);
    expect(await problems(breakSchema(/onDelete: Cascade/, "onDelete: SetNull"))).toMatch(/ON DELETE CASCADE in the database, SET NULL in the Prisma schema/);
    expect(await problems(breakSchema(/@default\("inactive"\)|@default\(inactive\)/, "@default(active)"))).toMatch(/worker\.status: default is 'inactive'::worker_status_enum in the database, active in the Prisma schema/);
    expect(await problems(breakSchema(/@db\.VarChar\(64\)/, "@db.VarChar(80)"))).toMatch(/type is character varying\(64\) in the database, character varying\(80\) in the Prisma schema/);
  });

  it("fails when the database drifts from the migrations", async () => {
    const { schema } = await freshSchema();
    await withClient(async (client) => {
      await client.query("ALTER TABLE pack ALTER COLUMN description SET NOT NULL");
      await client.query("ALTER TABLE rule DROP CONSTRAINT rule_action_fkey");
      await client.query("ALTER TYPE inquiry_status_enum ADD VALUE 'escalated'");
      await client.query("ALTER TABLE identity ADD COLUMN nickname text");
      await client.query("ALTER TABLE pack DROP CONSTRAINT pack_ref_key");
    }, schema);
    const found = (await drift(schema)).join("\n");
    expect(found).toMatch(/column pack\.description: NOT NULL in the database, optional in the Prisma schema/);
    expect(found).toMatch(/foreign key rule\(action\) -> action .*not in the database/);
    expect(found).toMatch(/enum inquiry_status_enum: values are \[.*escalated\]/);
    expect(found).toMatch(/column identity\.nickname: in the database, not in the Prisma schema/);
    expect(found).toMatch(/unique pack_ref_key on pack\(ref\): in the Prisma schema, not in the database/);
  });
});
