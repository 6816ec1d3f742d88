/**
 * OpenAPI checks for HTTP tests: every response a test sees can be validated against the
 * operation's documented response in `/openapi.json` (status documented, JSON body matching the
 * schema, 204 empty), and the document itself can be validated against the OpenAPI 3.1 schema
 * (`@seriousme/openapi-schema-validator`) and linted (`@redocly/openapi-core`, `recommended`).
 *
 * Use {@link checkedClient} instead of `app.request` so every response is validated.
 */
import { AssertionError } from "node:assert";
import { Ajv2020 } from "npm:ajv@8.20.0/dist/2020.js";
import addFormatsModule from "npm:ajv-formats@3.0.1";
import { Validator } from "npm:@seriousme/openapi-schema-validator@2.11.0";
import { createConfig, lintFromString } from "npm:@redocly/openapi-core@2.64.0";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Something with Hono's `request` (the test app). */
export interface RequestableApp {
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

// deno-lint-ignore no-explicit-any
const addFormats = addFormatsModule as unknown as (ajv: any) => void;

interface Compiled {
  doc: Json;
  ajv: InstanceType<typeof Ajv2020>;
  templates: Array<{ template: string; pattern: RegExp }>;
}

const cache = new WeakMap<object, Promise<Compiled>>();

/** The app's OpenAPI document, compiled for response validation (cached per app). */
export function openApiOf(app: RequestableApp): Promise<Compiled> {
  let compiled = cache.get(app);
  if (!compiled) {
    compiled = (async () => {
      const doc = await (await app.request("/openapi.json")).json();
      const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
      addFormats(ajv);
      ajv.addSchema(doc, "openapi.json");
      const templates = Object.keys(doc.paths ?? {}).map((template) => ({
        template,
        pattern: new RegExp("^" + template.replace(/\{[^}]+\}/g, "[^/]+") + "$"),
      }));
      // Static paths first, so /v1/sessions/attempts is not taken for /v1/sessions/{id}.
      templates.sort((a, b) => a.template.split("{").length - b.template.split("{").length);
      return { doc, ajv, templates };
    })();
    cache.set(app, compiled);
  }
  return compiled;
}

const escapePointer = (s: string) => s.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * Validates one response against the document. Responses of paths or methods the document does
 * not describe (HTML pages, unknown routes) are only checked for the error envelope when JSON.
 */
export async function validateResponse(
  app: RequestableApp,
  method: string,
  url: string,
  response: Response,
): Promise<void> {
  const { doc, ajv, templates } = await openApiOf(app);
  const path = new URL(url, "http://test.invalid").pathname;
  const template = templates.find((t) => t.pattern.test(path))?.template;
  const operation = template ? doc.paths[template][method.toLowerCase()] : undefined;
  const body = await response.clone().text();
  const where = `${method} ${path} → ${response.status}`;
  if (!operation) {
    if (response.headers.get("content-type")?.includes("application/json")) {
      const json = JSON.parse(body);
      if (!("data" in json && "error" in json)) {
        throw new AssertionError({ message: `${where}: not an envelope` });
      }
    }
    return;
  }
  const documented = operation.responses?.[String(response.status)];
  if (!documented) {
    throw new AssertionError({
      message: `${where}: status not documented for ${operation.operationId}`,
    });
  }
  if (!documented.content) {
    if (body.length) {
      throw new AssertionError({ message: `${where}: documented without content but has a body` });
    }
    return;
  }
  if (!response.headers.get("content-type")?.includes("application/json")) {
    throw new AssertionError({
      message: `${where}: content type ${response.headers.get("content-type")}`,
    });
  }
  const pointer =
    ["paths", template!, method.toLowerCase(), "responses", String(response.status), "content"]
      .map(escapePointer).join("/") + "/application~1json/schema";
  const validate = ajv.getSchema(`openapi.json#/${pointer}`);
  if (!validate) throw new AssertionError({ message: `${where}: no schema at ${pointer}` });
  if (!validate(JSON.parse(body))) {
    throw new AssertionError({
      message: `${where}: body does not match ${operation.operationId}: ${
        ajv.errorsText(validate.errors)
      }`,
    });
  }
}

/** Counts how many responses were validated (a test can assert its checks ran). */
export interface CheckedClient {
  (path: string, init?: RequestInit): Promise<Response>;
  validated: number;
}

/** `app.request` that validates every response against the OpenAPI document before returning it. */
export function checkedClient(app: RequestableApp): CheckedClient {
  const client = (async (path: string, init: RequestInit = {}) => {
    const response = await app.request(path, init);
    await validateResponse(app, init.method ?? "GET", path, response);
    client.validated++;
    return response;
  }) as CheckedClient;
  client.validated = 0;
  return client;
}

/** Validates the document against the OpenAPI 3.1 JSON schema; returns the errors (none = valid). */
export async function validateDocument(doc: Json): Promise<string[]> {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  if (result.valid) return [];
  return (Array.isArray(result.errors) ? result.errors : [result.errors]).map((e: Json) =>
    JSON.stringify(e)
  );
}

/** Lints the document with Redocly's `recommended` rules; returns the problems (none = clean). */
export async function lintDocument(doc: Json): Promise<string[]> {
  const config = await createConfig({ extends: ["recommended"] });
  const problems = await lintFromString({
    source: JSON.stringify(doc),
    absoluteRef: "openapi.json",
    config,
  });
  return problems.map((p) =>
    `${p.severity} ${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? "?"}`
  );
}
