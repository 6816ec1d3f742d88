/**
 * Stored records and fixed numbers of the webhooks layer (docs/webhooks.md).
 *
 * KV keys:
 * - `["webhook_endpoints", id]` → `EndpointRecord`;
 *   `["webhook_endpoints_by_org", orgId, mode, id]` → id
 * - `["webhook_keys", id]` → `EncryptionKeyRecord`; `["webhook_keys_by_endpoint", endpointId, id]` → id
 * - `["webhook_deliveries", id]` → `DeliveryRecord`;
 *   `["webhook_deliveries_by_org", orgId, mode, createdAtMs, id]`,
 *   `["webhook_deliveries_by_status", orgId, mode, status, createdAtMs, id]` (moved with the status)
 *   and `["webhook_deliveries_by_endpoint", orgId, mode, endpointId, createdAtMs, id]` →
 *   `DeliveryListing` (written with the record by `putDelivery`; entries of earlier versions: id);
 *   `["webhook_deliveries_by_event", eventId, id]` → id;
 *   `["webhook_payload_expiry", expiresAtMs, id]` → id (retention sweep)
 * - `["webhook_deliveries_open", id]` → id while the delivery is pending or delivering (recovery)
 * - `["webhook_attempts", deliveryId, number]` → `AttemptRecord`
 */
import type { AnyEventType, EventType } from "../lib/events/events.ts";
import type { OrgMode } from "../lib/core/org_mode.ts";

/** The KV keys listed above, so every module of the layer spells them the same way. */
export const webhookKeys = {
  endpoint: (id: string) => ["webhook_endpoints", id] as const,
  allEndpointsPrefix: () => ["webhook_endpoints"] as const,
  endpointByOrg: (scope: OrgMode, id: string) =>
    ["webhook_endpoints_by_org", scope.orgId, scope.mode, id] as const,
  endpointsByOrgPrefix: (scope: OrgMode) =>
    ["webhook_endpoints_by_org", scope.orgId, scope.mode] as const,
  key: (id: string) => ["webhook_keys", id] as const,
  keyByEndpoint: (endpointId: string, id: string) =>
    ["webhook_keys_by_endpoint", endpointId, id] as const,
  keysByEndpointPrefix: (endpointId: string) => ["webhook_keys_by_endpoint", endpointId] as const,
  delivery: (id: string) => ["webhook_deliveries", id] as const,
  allDeliveriesPrefix: () => ["webhook_deliveries"] as const,
  /** One mode's newest-first index. */
  deliveryByOrg: (d: DeliveryRecord) =>
    ["webhook_deliveries_by_org", d.orgId, d.mode, Date.parse(d.createdAt), d.id] as const,
  deliveriesByOrgPrefix: (scope: OrgMode) =>
    ["webhook_deliveries_by_org", scope.orgId, scope.mode] as const,
  /** The status filter's index. */
  deliveryByStatus: (d: DeliveryRecord, status: DeliveryStatus = d.status) =>
    [
      "webhook_deliveries_by_status",
      d.orgId,
      d.mode,
      status,
      Date.parse(d.createdAt),
      d.id,
    ] as const,
  deliveriesByStatusPrefix: (scope: OrgMode, status: DeliveryStatus) =>
    ["webhook_deliveries_by_status", scope.orgId, scope.mode, status] as const,
  /** The endpoint filter's index. */
  deliveryByEndpoint: (d: DeliveryRecord) =>
    [
      "webhook_deliveries_by_endpoint",
      d.orgId,
      d.mode,
      d.endpointId,
      Date.parse(d.createdAt),
      d.id,
    ] as const,
  deliveriesByEndpointPrefix: (scope: OrgMode, endpointId: string) =>
    ["webhook_deliveries_by_endpoint", scope.orgId, scope.mode, endpointId] as const,
  deliveryByEvent: (eventId: string, id: string) =>
    ["webhook_deliveries_by_event", eventId, id] as const,
  deliveriesByEventPrefix: (eventId: string) => ["webhook_deliveries_by_event", eventId] as const,
  payloadExpiry: (expiresAtMs: number, id: string) =>
    ["webhook_payload_expiry", expiresAtMs, id] as const,
  payloadExpiryPrefix: () => ["webhook_payload_expiry"] as const,
  openDelivery: (id: string) => ["webhook_deliveries_open", id] as const,
  openDeliveriesPrefix: () => ["webhook_deliveries_open"] as const,
  attempt: (deliveryId: string, number: number) =>
    ["webhook_attempts", deliveryId, number] as const,
  attemptsPrefix: (deliveryId: string) => ["webhook_attempts", deliveryId] as const,
};

/** Live or test: an endpoint receives only the events of its own mode. */
export type WebhookMode = "live" | "test";

/** Allowed `undelivered_payload_retention_hours`. */
export const RETENTION_HOURS = [0, 24, 72, 168] as const;

/** A retention choice. */
export type RetentionHours = typeof RETENTION_HOURS[number];

/** A signing secret, sealed at rest with the server key. */
export interface SealedSecret {
  sealed: string;
  createdAt: string;
  /** For the previous secret after a rotation: when it stops signing. */
  expiresAt: string | null;
}

/** A webhook endpoint. */
export interface EndpointRecord {
  id: string;
  orgId: string;
  mode: WebhookMode;
  name: string;
  url: string;
  enabled: boolean;
  subscribedEventTypes: EventType[];
  labels: string[];
  retentionHours: RetentionHours;
  /**
   * How long a delivered payload is kept for a manual replay (docs/webhooks.md "Replay after
   * success"): 0 (the default, absent on older records) scrubs it on success.
   */
  deliveredRetentionHours?: RetentionHours;
  secret: SealedSecret;
  previousSecret: SealedSecret | null;
  activeKeyId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Status of an encryption key; an endpoint has at most one `active` key. */
export type KeyStatus = "active" | "inactive";

/** A public RSA JWK as stored (only public members). */
export interface PublicRsaJwk {
  kty: "RSA";
  n: string;
  e: string;
  alg: "RSA-OAEP-256";
  use: "enc";
  kid: string;
}

/** An integrator's encryption key. */
export interface EncryptionKeyRecord {
  id: string;
  orgId: string;
  endpointId: string;
  jwk: PublicRsaJwk;
  modulusBits: number;
  status: KeyStatus;
  createdAt: string;
  updatedAt: string;
}

/** Delivery statuses (docs/webhooks.md). */
export type DeliveryStatus = "pending" | "delivering" | "succeeded" | "failed";

/** Why a delivery ended `failed` without more tries. */
export type FailureReason = "retries_exhausted" | "no_active_key" | "endpoint_gone";

/** One delivery of one event to one endpoint; its id never changes across retries and replays. */
export interface DeliveryRecord {
  id: string;
  orgId: string;
  mode: WebhookMode;
  endpointId: string;
  eventId: string;
  eventType: AnyEventType;
  status: DeliveryStatus;
  /** The compact JWE, or null once scrubbed (success, retention over) or never made. */
  payload: string | null;
  keyId: string | null;
  /** Tries made so far (the next `X-Kayle-Attempt` is this + 1). */
  attemptCount: number;
  /** Automatic tries made in the schedule (0–8); manual retries do not count. */
  scheduledTries: number;
  /** The next try is a manual retry or replay (one try, outside the schedule). */
  manualTryPending: boolean;
  nextAttemptAt: string | null;
  /** While `delivering`: which instance sends and until when its claim holds. */
  deliveringBy: string | null;
  deliveringUntil: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastErrorClass: string | null;
  failureReason: FailureReason | null;
  payloadExpiresAt: string | null;
  succeededAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * What the delivery lists show and their index entries hold: the record without its encrypted
 * payload (which stays in the record alone), and whether one is kept.
 */
export type DeliveryListing = Omit<DeliveryRecord, "payload"> & { payloadKept: boolean };

/** A delivery list index entry: the listing, or the id (entries of earlier versions). */
export type DeliveryIndexValue = DeliveryListing | string;

/** The listing of a record. */
export function deliveryListing(d: DeliveryRecord): DeliveryListing {
  const { payload, ...rest } = d;
  return { ...rest, payloadKept: payload !== null };
}

/** Classes of a failed try, stable for integrators and dashboards. */
export type TryErrorClass =
  | "http_status"
  | "timeout"
  | "redirect"
  | "connection_refused"
  | "connection_error"
  | "tls_error"
  | "dns_error"
  | "blocked_address"
  | "invalid_url"
  | "endpoint_disabled";

/** One recorded try (`wha_`). */
export interface AttemptRecord {
  id: string;
  deliveryId: string;
  number: number;
  attemptedAt: string;
  statusCode: number | null;
  durationMs: number;
  errorClass: TryErrorClass | null;
  succeeded: boolean;
  manual: boolean;
}

/** The job type that runs one delivery try. */
export const DELIVERY_JOB_TYPE = "webhook.delivery" as const;
