/**
 * Writes `src/generated/types.ts` from the server's OpenAPI document (`GET /openapi.json`, see
 * the repository's `docs/api.md`): one TypeScript type per component schema, and per operation its
 * method, path, parameters, body and the type of `data` in the success envelope.
 *
 *   deno run -A --unstable-kv --unstable-cron sdk/js/scripts/generate.ts          # in-process app
 *   deno run -A sdk/js/scripts/generate.ts --url http://127.0.0.1:8787           # a running server
 *
 * `tests/sdk_client_test.ts` regenerates in memory and fails when the committed file differs.
 * The public verify surface (tag `Verify`) is for the verify page, not integrators: left out.
 */

// deno-lint-ignore no-explicit-any
type Schema = any;
// deno-lint-ignore no-explicit-any
type OpenApiDocument = any;

/** Operations of these tags are not part of the SDK. */
const EXCLUDED_TAGS = new Set(["Verify"]);
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const propName = (name: string) => IDENTIFIER.test(name) ? name : JSON.stringify(name);

function docComment(text: string | undefined, indent: string): string {
  if (!text) return "";
  const clean = text.replaceAll("*/", "*\\/").replace(/\s+/g, " ").trim();
  return `${indent}/** ${clean} */\n`;
}

/** Schema names that would shadow a global of the same name get another one. */
const RENAMED: Record<string, string> = { Error: "ErrorBody" };
const typeName = (name: string) => RENAMED[name] ?? name;

function refName(ref: string): string {
  const prefix = "#/components/schemas/";
  if (!ref.startsWith(prefix)) throw new Error(`Unsupported $ref ${ref}`);
  return typeName(ref.slice(prefix.length));
}

/** The TypeScript type of a JSON schema. */
export function schemaToType(schema: Schema, indent = ""): string {
  if (schema === true || schema === undefined || schema === null) return "unknown";
  if (schema === false) return "never";
  if (schema.$ref) return refName(schema.$ref);
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return union(variants.map((s: Schema) => schemaToType(s, indent)));
  if (schema.allOf) return schema.allOf.map((s: Schema) => schemaToType(s, indent)).join(" & ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) {
    return union(schema.enum.map((v: unknown) => JSON.stringify(v)));
  }
  if (Array.isArray(schema.type)) {
    return union(schema.type.map((t: string) => schemaToType({ ...schema, type: t }, indent)));
  }
  switch (schema.type) {
    case "string":
      return "string";
    case "integer":
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array": {
      const item = schemaToType(schema.items, indent);
      return /^[A-Za-z0-9_]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case "object":
      return objectType(schema, indent);
    default:
      return "unknown";
  }
}

function union(types: string[]): string {
  const unique = [...new Set(types)];
  return unique.length === 1 ? unique[0] : unique.join(" | ");
}

function objectType(schema: Schema, indent: string): string {
  const properties: Record<string, Schema> = schema.properties ?? {};
  const required = new Set<string>(schema.required ?? []);
  const inner = indent + "  ";
  const lines: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    lines.push(
      docComment(property.description, inner) +
        `${inner}${propName(name)}${required.has(name) ? "" : "?"}: ${
          schemaToType(property, inner)
        };`,
    );
  }
  const extra = schema.additionalProperties;
  if (extra && extra !== false) {
    lines.push(
      `${inner}[key: string]: ${extra === true ? "unknown" : schemaToType(extra, inner)};`,
    );
  } else if (lines.length === 0 && extra !== false) {
    return "Record<string, unknown>";
  }
  if (lines.length === 0) return "Record<string, never>";
  return `{\n${lines.join("\n")}\n${indent}}`;
}

interface OperationInfo {
  id: string;
  method: string;
  path: string;
  summary: string;
  pathParams: string[];
  queryType: string;
  bodyType: string;
  bodyRequired: boolean;
  dataType: string;
  list: boolean;
  idempotencyKey: boolean;
}

function operationsOf(doc: OpenApiDocument): OperationInfo[] {
  const operations: OperationInfo[] = [];
  for (const [path, item] of Object.entries<Schema>(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op || (op.tags ?? []).some((t: string) => EXCLUDED_TAGS.has(t))) continue;
      if (!op.operationId) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      const parameters: Schema[] = [...(item.parameters ?? []), ...(op.parameters ?? [])];
      const query = parameters.filter((p) => p.in === "query");
      const queryType = query.length === 0 ? "never" : objectType(
        {
          type: "object",
          properties: Object.fromEntries(
            query.map((p) => [p.name, { ...p.schema, description: p.description }]),
          ),
          required: query.filter((p) => p.required).map((p) => p.name),
          additionalProperties: false,
        },
        "    ",
      );
      const bodySchema = op.requestBody?.content?.["application/json"]?.schema;
      const success = Object.entries<Schema>(op.responses ?? {}).find(([s]) => /^2\d\d$/.test(s));
      const envelope = success?.[1]?.content?.["application/json"]?.schema;
      const dataSchema = envelope?.properties?.data;
      operations.push({
        id: op.operationId,
        method: method.toUpperCase(),
        path,
        summary: op.summary ?? "",
        pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
        queryType,
        bodyType: bodySchema ? schemaToType(bodySchema, "    ") : "never",
        bodyRequired: Boolean(op.requestBody?.required),
        dataType: dataSchema
          ? schemaToType(dataSchema.type === "array" ? dataSchema.items : dataSchema, "    ")
          : "void",
        list: Boolean(envelope?.properties?.pagination),
        idempotencyKey: parameters.some((p) =>
          p.in === "header" && String(p.name).toLowerCase() === "idempotency-key"
        ) || /Idempotency-Key/.test(`${op.description ?? ""}`),
      });
    }
  }
  return operations.sort((a, b) => a.id.localeCompare(b.id));
}

/** The whole generated module for an OpenAPI document. */
export function generateTypes(doc: OpenApiDocument): string {
  const out: string[] = [
    "// Generated by sdk/js/scripts/generate.ts from the Kayle ID OpenAPI document " +
    `(API ${doc.info?.version ?? "?"}).`,
    "// Do not edit: run the script again when the API changes.",
    "",
  ];
  for (const [name, schema] of Object.entries<Schema>(doc.components?.schemas ?? {})) {
    out.push(
      docComment(schema.description, "") +
        `export type ${typeName(name)} = ${schemaToType(schema)};`,
    );
    out.push("");
  }
  const operations = operationsOf(doc);
  out.push("/** Every operation of the API the SDK covers, by `operationId`. */");
  out.push("export interface Operations {");
  for (const op of operations) {
    out.push(`  /** ${op.summary.replaceAll("*/", "*\\/")} (\`${op.method} ${op.path}\`) */`);
    out.push(`  ${op.id}: {`);
    out.push(
      `    path: ${
        op.pathParams.length
          ? `{ ${op.pathParams.map((p) => `${p}: string`).join("; ")} }`
          : "never"
      };`,
    );
    out.push(`    query: ${op.queryType};`);
    out.push(`    body: ${op.bodyType};`);
    out.push(`    data: ${op.dataType};`);
    out.push(`    list: ${op.list};`);
    out.push("  };");
  }
  out.push("}");
  out.push("");
  out.push("/** Method, path template and traits of every operation. */");
  out.push("export const OPERATIONS = {");
  for (const op of operations) {
    out.push(
      `  ${op.id}: { method: "${op.method}", path: "${op.path}", list: ${op.list}, ` +
        `idempotencyKey: ${op.idempotencyKey}, bodyRequired: ${op.bodyRequired} },`,
    );
  }
  out.push("} as const;");
  out.push("");
  out.push("/** An operation id. */");
  out.push("export type OperationId = keyof Operations;");
  out.push("");
  return out.join("\n");
}

/** Where the generated module lives. */
export const GENERATED_TYPES_FILE = new URL("../src/generated/types.ts", import.meta.url);

/** The document of an in-process app (no port), built like the tests build it. */
export async function documentOfInProcessApp(): Promise<OpenApiDocument> {
  const { createTestApp } = await import("../../../tests/support/app.ts");
  const test = await createTestApp();
  try {
    return await (await test.app.request("/openapi.json")).json();
  } finally {
    await test.close();
  }
}

/** Generated source, formatted as `deno fmt` at the repository's root formats it (width 100). */
export async function formattedTypes(doc: OpenApiDocument): Promise<string> {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "ts", "--line-width", "100", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
  const child = command.spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(generateTypes(doc)));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  if (code !== 0) throw new Error(`deno fmt failed: ${new TextDecoder().decode(stderr)}`);
  return new TextDecoder().decode(stdout);
}

if (import.meta.main) {
  const urlIndex = Deno.args.indexOf("--url");
  const doc = urlIndex >= 0
    ? await (await fetch(new URL("/openapi.json", Deno.args[urlIndex + 1]))).json()
    : await documentOfInProcessApp();
  await Deno.writeTextFile(GENERATED_TYPES_FILE, await formattedTypes(doc));
  console.log(`wrote ${GENERATED_TYPES_FILE.pathname}`);
}
