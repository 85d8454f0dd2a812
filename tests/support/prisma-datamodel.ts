import fs from "node:fs";
import path from "node:path";
import { get_datamodel } from "@prisma/prisma-schema-wasm";

/** The parts of Prisma's DMMF data model the drift check reads. */
export interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: "scalar" | "enum" | "object" | "unsupported";
  isList: boolean;
  isRequired: boolean;
  isId: boolean;
  hasDefaultValue: boolean;
  type: string;
  nativeType?: [string, string[]] | null;
  default?: unknown;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
  relationOnUpdate?: string;
}
export interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
export interface DmmfEnum {
  name: string;
  dbName?: string | null;
  values: { name: string; dbName: string | null }[];
}
export interface DmmfIndex {
  model: string;
  type: "id" | "unique" | "normal" | "fulltext";
  dbName?: string;
  algorithm?: string;
  fields: { name: string; sortOrder?: "asc" | "desc" }[];
}
export interface Datamodel {
  models: DmmfModel[];
  enums: DmmfEnum[];
  indexes: DmmfIndex[];
}

export const SCHEMA_PRISMA = path.resolve(__dirname, "../../prisma/schema.prisma");

/**
 * The data model Prisma generates the client from (the DMMF's `datamodel`), parsed
 * by Prisma's own schema engine (wasm). `get_datamodel` returns exactly
 * `get_dmmf().datamodel` without building the query schema: ~0.1 s instead of ~2 s.
 */
export function prismaDatamodel(schemaText: string = fs.readFileSync(SCHEMA_PRISMA, "utf8")): Datamodel {
  return JSON.parse(get_datamodel(JSON.stringify({ prismaSchema: [["schema.prisma", schemaText]] }))) as Datamodel;
}
