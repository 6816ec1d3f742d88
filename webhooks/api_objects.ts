/**
 * The API shape of webhook objects (docs/webhooks.md): zod schemas for the OpenAPI document and the
 * functions that turn stored records into them. Secrets and payloads never appear here.
 */
import { z } from "@hono/zod-openapi";
import { ALL_EVENT_TYPES, EVENT_TYPES, type EventRecord } from "../lib/events/events.ts";
import type {
  AttemptRecord,
  DeliveryListing,
  DeliveryRecord,
  EncryptionKeyRecord,
  EndpointRecord,
} from "./model.ts";
import { payloadRetained } from "./deliveries.ts";

/** Webhook endpoint object. */
export const endpointSchema = z.object({
  id: z.string().openapi({ example: "whe_0123456789abcdefghijklmnopqrstuv" }),
  object: z.literal("webhook_endpoint"),
  mode: z.enum(["live", "test"]),
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  subscribed_event_types: z.array(z.enum(EVENT_TYPES)),
  labels: z.array(z.string()),
  undelivered_payload_retention_hours: z.number().int(),
  delivered_payload_retention_hours: z.number().int(),
  active_key_id: z.string().nullable(),
  signing_secret_rotated_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("WebhookEndpoint");

/** Endpoint as an API object. */
export function endpointObject(e: EndpointRecord): z.infer<typeof endpointSchema> {
  return {
    id: e.id,
    object: "webhook_endpoint",
    mode: e.mode,
    name: e.name,
    url: e.url,
    enabled: e.enabled,
    subscribed_event_types: e.subscribedEventTypes,
    labels: e.labels,
    undelivered_payload_retention_hours: e.retentionHours,
    delivered_payload_retention_hours: e.deliveredRetentionHours ?? 0,
    active_key_id: e.activeKeyId,
    signing_secret_rotated_at: e.previousSecret ? e.secret.createdAt : null,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

/** Encryption key object. */
export const keySchema = z.object({
  id: z.string().openapi({
    description:
      "The generated `whk_` id: the handle for deactivate / reactivate and `active_key_id`.",
  }),
  key_id: z.string().openapi({
    description:
      "The JWE `kid` deliveries carry: the `key_id` given at registration, else the same as `id`.",
  }),
  object: z.literal("webhook_encryption_key"),
  endpoint_id: z.string(),
  algorithm: z.literal("RSA-OAEP-256"),
  key_type: z.literal("RSA"),
  status: z.enum(["active", "inactive"]),
  modulus_bits: z.number().int(),
  jwk: z.object({
    kty: z.literal("RSA"),
    n: z.string(),
    e: z.string(),
    alg: z.string(),
    use: z.string(),
    kid: z.string(),
  }),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("WebhookEncryptionKey");

/** Key as an API object. */
export function keyObject(k: EncryptionKeyRecord): z.infer<typeof keySchema> {
  return {
    id: k.id,
    key_id: k.jwk.kid,
    object: "webhook_encryption_key",
    endpoint_id: k.endpointId,
    algorithm: "RSA-OAEP-256",
    key_type: "RSA",
    status: k.status,
    modulus_bits: k.modulusBits,
    jwk: k.jwk,
    created_at: k.createdAt,
    updated_at: k.updatedAt,
  };
}

/** One try of a delivery. */
export const attemptSchema = z.object({
  id: z.string(),
  object: z.literal("webhook_delivery_attempt"),
  number: z.number().int(),
  attempted_at: z.string(),
  status_code: z.number().int().nullable(),
  duration_ms: z.number().int(),
  error_class: z.string().nullable(),
  succeeded: z.boolean(),
  manual: z.boolean(),
}).openapi("WebhookDeliveryAttempt");

/** Attempt as an API object. */
export function attemptObject(a: AttemptRecord): z.infer<typeof attemptSchema> {
  return {
    id: a.id,
    object: "webhook_delivery_attempt",
    number: a.number,
    attempted_at: a.attemptedAt,
    status_code: a.statusCode,
    duration_ms: a.durationMs,
    error_class: a.errorClass,
    succeeded: a.succeeded,
    manual: a.manual,
  };
}

/** Delivery object (no payload: only whether it is still retained). */
export const deliverySchema = z.object({
  id: z.string(),
  object: z.literal("webhook_delivery"),
  mode: z.enum(["live", "test"]),
  event_id: z.string(),
  event_type: z.enum(ALL_EVENT_TYPES),
  endpoint_id: z.string(),
  status: z.enum(["pending", "delivering", "succeeded", "failed"]),
  failure_reason: z.string().nullable(),
  attempt_count: z.number().int(),
  next_attempt_at: z.string().nullable(),
  last_attempt_at: z.string().nullable(),
  last_status_code: z.number().int().nullable(),
  last_error_class: z.string().nullable(),
  payload_retained: z.boolean(),
  payload_expires_at: z.string().nullable(),
  key_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  attempts: z.array(attemptSchema).optional(),
}).openapi("WebhookDelivery");

/** Delivery as an API object, with its attempts when given. */
export function deliveryObject(
  d: DeliveryRecord | DeliveryListing,
  now: Date,
  attempts?: AttemptRecord[],
): z.infer<typeof deliverySchema> {
  return {
    id: d.id,
    object: "webhook_delivery",
    mode: d.mode,
    event_id: d.eventId,
    event_type: d.eventType,
    endpoint_id: d.endpointId,
    status: d.status,
    failure_reason: d.failureReason,
    attempt_count: d.attemptCount,
    next_attempt_at: d.nextAttemptAt,
    last_attempt_at: d.lastAttemptAt,
    last_status_code: d.lastStatusCode,
    last_error_class: d.lastErrorClass,
    payload_retained: payloadRetained(d, now),
    payload_expires_at: d.payloadExpiresAt,
    key_id: d.keyId,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    ...(attempts ? { attempts: attempts.map(attemptObject) } : {}),
  };
}

/** Event object (stored form: claims replaced by their keys). */
export const eventSchema = z.object({
  id: z.string(),
  object: z.literal("event"),
  type: z.enum(ALL_EVENT_TYPES),
  mode: z.enum(["live", "test"]),
  verification_session_id: z.string(),
  verification_attempt_id: z.string().nullable(),
  webhook_endpoint_id: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  deliveries: z.array(deliverySchema).optional(),
}).openapi("WebhookEvent");

/** Event as an API object, with its deliveries when given. */
export function eventObject(
  e: EventRecord,
  now: Date,
  deliveries?: DeliveryRecord[],
): z.infer<typeof eventSchema> {
  return {
    id: e.id,
    object: "event",
    type: e.type,
    mode: e.mode,
    verification_session_id: e.sessionId,
    verification_attempt_id: e.attemptId,
    webhook_endpoint_id: e.webhookEndpointId,
    data: e.data,
    created_at: e.createdAt,
    ...(deliveries ? { deliveries: deliveries.map((d) => deliveryObject(d, now)) } : {}),
  };
}
