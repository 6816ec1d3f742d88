/**
 * What the `/v1/webhooks` route files share: request schemas, the caller's organization and
 * mode (an API key sees only the objects of its own mode), lookups that answer 404 for other
 * organizations' objects, and URL validation with its stable codes.
 */
import { z } from "@hono/zod-openapi";
import type { AppContext } from "../lib/framework/define.ts";
import { ApiError, notFound } from "../lib/http/errors.ts";
import { EVENT_TYPES } from "../lib/events/events.ts";
import { getEndpointEntry } from "./endpoints.ts";
import {
  type EndpointRecord,
  RETENTION_HOURS,
  type RetentionHours,
  type WebhookMode,
} from "./model.ts";
import { checkWebhookUrl } from "./url_safety.ts";
import { getMembership } from "../lib/accounts/organizations.ts";

/** The calling key's organization and mode. */
export function caller(c: AppContext): { orgId: string; mode: WebhookMode } {
  const key = c.var.apiKey!;
  return { orgId: key.orgId, mode: key.mode };
}

/** `{id}` path parameter (any length: an id that cannot exist, oversized too, answers 404). */
export const idParams = z.object({ id: z.string().min(1) });

const retention = z.union(
  RETENTION_HOURS.map((h) => z.literal(h)) as [
    z.ZodLiteral<0>,
    z.ZodLiteral<24>,
    z.ZodLiteral<72>,
    z.ZodLiteral<168>,
  ],
)
  .openapi({ description: "0, 24, 72 or 168", example: 72 });

/** Fields of an endpoint a caller may set. */
export const endpointFields = {
  name: z.string().trim().min(1).max(120),
  url: z.string().min(1).max(2048).openapi({ example: "https://example.com/webhooks/kayle" }),
  enabled: z.boolean(),
  subscribed_event_types: z.array(z.enum(EVENT_TYPES)).min(1),
  labels: z.array(z.string().trim().min(1).max(64)).max(8),
  undelivered_payload_retention_hours: retention,
  delivered_payload_retention_hours: retention,
};

/** Body of `POST /v1/webhooks/endpoints`. */
export const createEndpointBody = z.object({
  name: endpointFields.name,
  url: endpointFields.url,
  enabled: endpointFields.enabled.optional(),
  subscribed_event_types: endpointFields.subscribed_event_types.optional(),
  labels: endpointFields.labels.optional(),
  undelivered_payload_retention_hours: endpointFields.undelivered_payload_retention_hours
    .optional(),
  delivered_payload_retention_hours: endpointFields.delivered_payload_retention_hours.optional()
    .openapi({
      description: "Keep delivered payloads for a replay: 0 (default, scrubbed on success), 24, " +
        "72 or 168 hours.",
    }),
}).strict();

/** Body of `PATCH /v1/webhooks/endpoints/{id}` (at least one field). */
export const patchEndpointBody = createEndpointBody.partial().strict()
  .refine((b) => Object.keys(b).length > 0, { message: "give at least one field to change" });

/**
 * Validated endpoint input in the data layer's names; the URL is kept in its WHATWG-serialized
 * form (`new URL(url).href`), the form it is stored, returned and called with.
 */
export function endpointInput(body: z.infer<typeof patchEndpointBody>, devMode: boolean) {
  let url: string | undefined;
  if (body.url !== undefined) {
    const check = checkWebhookUrl(body.url, devMode);
    if (!check.ok) {
      throw new ApiError(400, check.code, check.message, {
        hint: devMode
          ? "Use https://, or http:// to localhost in development."
          : "Use a public https:// URL.",
      });
    }
    url = check.url.href;
  }
  return {
    name: body.name,
    url,
    enabled: body.enabled,
    subscribedEventTypes: body.subscribed_event_types
      ? [...new Set(body.subscribed_event_types)]
      : undefined,
    labels: body.labels ? [...new Set(body.labels)] : undefined,
    retentionHours: body.undelivered_payload_retention_hours as RetentionHours | undefined,
    deliveredRetentionHours: body.delivered_payload_retention_hours as
      | RetentionHours
      | undefined,
  };
}

/** The caller's endpoint entry, or 404. */
export async function requireEndpoint(
  c: AppContext,
  id: string,
): Promise<Deno.KvEntry<EndpointRecord>> {
  const entry = await getEndpointEntry(c.var.deps.kv, caller(c), id);
  if (!entry) throw notFound("webhook endpoint");
  return entry;
}

/** Errors documented on URL-taking operations. */
export const URL_ERRORS = [
  {
    status: 400,
    code: "INVALID_WEBHOOK_URL",
    when: "the URL is not https (or loopback http in development), too long or has credentials",
  },
  {
    status: 400,
    code: "WEBHOOK_URL_BLOCKED",
    when: "the URL points to a private, loopback, link-local or metadata address",
  },
];

/** 404 for an unknown endpoint. */
export const ENDPOINT_NOT_FOUND = {
  status: 404,
  code: "NOT_FOUND",
  when: "no such endpoint in this organization and mode",
};

/** The reveal's refusal of a key whose creator is not an owner (docs/webhooks.md). */
export const REVEAL_NEEDS_OWNER_KEY = {
  status: 403,
  code: "FORBIDDEN",
  when: "the key was created in the dashboard by someone who is not an owner now",
};

/**
 * Revealing a signing secret is an owner's act in the dashboard (docs/accounts.md); a key does no
 * more than its creator's role allows, or an admin could mint a `webhooks:write` key to read the
 * secret the receiver trusts. Keys made with `deno task admin` (no creator) are the operator's.
 */
export async function requireOwnerCreatedKey(c: AppContext): Promise<void> {
  const key = c.var.apiKey!;
  if (key.createdBy === null) return;
  const membership = await getMembership(c.var.deps.kv, key.orgId, key.createdBy);
  if (membership?.role === "owner") return;
  throw new ApiError(
    403,
    "FORBIDDEN",
    "Only a key created by an owner of the organization may reveal signing secrets.",
    { hint: "Ask an owner to reveal it in the dashboard, or to create the key that does." },
  );
}
