/** @attune-schema none */
import fs from "node:fs";
import {
  rewritePrismaRuntime,
  shareParameterizationSchemas,
  type SharedParameterizationSchemas,
} from "../../src/jest/shared-parameterization-schemas.ts";

const RUNTIME = require.resolve("@prisma/client/runtime/client.js");
const MARK = 'Symbol.for("attune-db.sharedParameterizationSchemas")';

// The realm side (a new client decodes nothing) is in test-file-realm.test.ts.
describe("the rewrite of Prisma's runtime that shares its decoded parameterization schema", () => {
  it("applies to the installed Prisma (a release that renames or reshapes the function shows here)", () => {
    const source = fs.readFileSync(RUNTIME, "utf8");
    const rewritten = rewritePrismaRuntime(RUNTIME, source);
    expect(rewritten).not.toBe(source);
    expect(rewritten.split(MARK)).toHaveLength(2);
    expect(rewritten.length - source.length).toBeLessThan(200); // one function, nothing else
  });

  it("keeps the runtime's own decoding where the realm has no shared schemas", () => {
    const rewritten = rewritePrismaRuntime(RUNTIME, "function Ba(e){return new Li(e).deserialize()}");
    const decode = new Function("Li", `${rewritten}; return Ba;`)(class {
      constructor(readonly encoded: string) {}
      deserialize() {
        return { from: this.encoded };
      }
    });
    expect(decode("graph")).toEqual({ from: "graph" });
  });

  it("applies to the runtime as a transform reformats it, keeping its line count", () => {
    const reformatted = "var x = 1;\nfunction Ba(e) {\n    return new Li(e).deserialize();\n}\nvar y = 2;\n";
    const rewritten = rewritePrismaRuntime(RUNTIME, reformatted);
    expect(rewritten).toContain(MARK);
    expect(rewritten.split("\n")).toHaveLength(reformatted.split("\n").length);
    expect(rewritten.endsWith("\nvar y = 2;\n")).toBe(true);
  });

  it("leaves other files, and a runtime where the function is not found exactly once, as they are", () => {
    const once = "function Ba(e){return new Li(e).deserialize()}";
    expect(rewritePrismaRuntime("/project/src/client.js", once)).toBe(once);
    expect(rewritePrismaRuntime(RUNTIME, "function Ba(e){return decode(e)}")).toBe("function Ba(e){return decode(e)}");
    expect(rewritePrismaRuntime(RUNTIME, once + once)).toBe(once + once);
  });

  describe("the worker's lookup", () => {
    const lookupOn = () => {
      const realm = {} as Record<symbol, SharedParameterizationSchemas>;
      shareParameterizationSchemas(realm);
      return realm[Symbol.for("attune-db.sharedParameterizationSchemas")]!;
    };
    const graph = () => `graph-${Math.random()}`;

    it("decodes an encoding once for every realm, and keeps a copy of its own rather than the first realm's objects", () => {
      const encoded = { graph: graph() };
      const decoded = { roots: { findManyPack: { argsNodeId: 1 } }, inputNodes: [{ edges: {} }] };
      const first = lookupOn()(encoded, () => decoded);
      expect(first).toEqual(decoded);
      expect(first).not.toBe(decoded);
      expect(lookupOn()({ graph: encoded.graph }, () => { throw new Error("decoded again"); })).toBe(first);
      const other = lookupOn()({ graph: graph() }, () => ({ roots: {} }));
      expect(other).toEqual({ roots: {} });
    });

    it("leaves a client its own decoding where it cannot share it", () => {
      const lookup = lookupOn();
      let decodes = 0;
      const unshareable = { graph: graph() };
      const withFunction = () => (decodes++, { read: () => 1 });
      lookup(unshareable, withFunction);
      lookup(unshareable, withFunction);
      expect(decodes).toBe(2); // not plain data: not kept
      const noGraph = {} as { graph: string };
      lookup(noGraph, () => (decodes++, { a: 1 }));
      lookup(noGraph, () => (decodes++, { a: 2 }));
      expect(decodes).toBe(4); // not the encoding it was written for: not kept
    });
  });
});
