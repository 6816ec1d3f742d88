/**
 * `new Kayle({apiKey, baseUrl})`: the REST API grouped by resource. Every method is typed from the
 * generated OpenAPI types (`generated/types.ts`); list methods return a {@link ListResult}
 * (`await` → one page, `for await` → every item).
 */
import { type ClientOptions, KayleClient, type ListResult, type RequestOptions } from "./client.ts";
import type { Operations } from "./generated/types.ts";

type Body<Id extends keyof Operations> = Operations[Id]["body"];
type Query<Id extends keyof Operations> = Operations[Id]["query"];
type Data<Id extends keyof Operations> = Operations[Id]["data"];
type Idempotent = Pick<RequestOptions, "idempotencyKey"> & Omit<RequestOptions, "idempotencyKey">;
type Plain = Omit<RequestOptions, "idempotencyKey">;

const path = (id: string) => ({ path: { id } });

/** The Kayle ID API client. */
export class Kayle {
  /** The low-level client: `call(operationId, …)` for any operation. */
  readonly client: KayleClient;

  constructor(options: ClientOptions) {
    this.client = new KayleClient(options);
    const c = this.client;
    this.sessions = {
      create: (body?: Body<"createSession">, options?: Idempotent) =>
        c.call("createSession", { body: body ?? {} }, options),
      get: (id: string, query?: Query<"getSession">, options?: Plain) =>
        c.call("getSession", { ...path(id), query }, options),
      list: (query?: Query<"listSessions">, options?: Plain) =>
        c.list("listSessions", { query }, options),
      cancel: (id: string, options?: Plain) => c.call("cancelSession", path(id), options),
    };
    this.attempts = {
      list: (query?: Query<"listAttempts">, options?: Plain) =>
        c.list("listAttempts", { query }, options),
    };
    this.webhookEndpoints = {
      create: (body: Body<"createWebhookEndpoint">, options?: Idempotent) =>
        c.call("createWebhookEndpoint", { body }, options),
      get: (id: string, options?: Plain) => c.call("getWebhookEndpoint", path(id), options),
      list: (query?: Query<"listWebhookEndpoints">, options?: Plain) =>
        c.list("listWebhookEndpoints", { query }, options),
      update: (id: string, body: Body<"updateWebhookEndpoint">, options?: Plain) =>
        c.call("updateWebhookEndpoint", { ...path(id), body }, options),
      delete: (id: string, options?: Plain) => c.call("deleteWebhookEndpoint", path(id), options),
      rotateSigningSecret: (id: string, options?: Plain) =>
        c.call("rotateWebhookSigningSecret", path(id), options),
      revealSigningSecret: (id: string, options?: Plain) =>
        c.call("revealWebhookSigningSecret", path(id), options),
      sendTestEvent: (id: string, options?: Plain) =>
        c.call("sendWebhookTestEvent", path(id), options),
    };
    this.encryptionKeys = {
      create: (endpointId: string, body: Body<"createWebhookEncryptionKey">, options?: Plain) =>
        c.call("createWebhookEncryptionKey", { ...path(endpointId), body }, options),
      list: (endpointId: string, query?: Query<"listWebhookEncryptionKeys">, options?: Plain) =>
        c.list("listWebhookEncryptionKeys", { ...path(endpointId), query }, options),
      deactivate: (keyId: string, options?: Plain) =>
        c.call("deactivateWebhookEncryptionKey", path(keyId), options),
      reactivate: (keyId: string, options?: Plain) =>
        c.call("reactivateWebhookEncryptionKey", path(keyId), options),
    };
    this.events = {
      get: (id: string, options?: Plain) => c.call("getWebhookEvent", path(id), options),
      list: (query?: Query<"listWebhookEvents">, options?: Plain) =>
        c.list("listWebhookEvents", { query }, options),
      replay: (id: string, options?: Plain) => c.call("replayWebhookEvent", path(id), options),
    };
    this.deliveries = {
      get: (id: string, options?: Plain) => c.call("getWebhookDelivery", path(id), options),
      list: (query?: Query<"listWebhookDeliveries">, options?: Plain) =>
        c.list("listWebhookDeliveries", { query }, options),
      retry: (id: string, options?: Plain) => c.call("retryWebhookDelivery", path(id), options),
    };
    this.analytics = {
      sessionsOverview: (options?: Plain) => c.call("getSessionsOverview", {}, options),
    };
    this.testHelpers = {
      simulateSession: (id: string, body?: Body<"simulateSession">, options?: Plain) =>
        c.call("simulateSession", { ...path(id), body: body ?? {} }, options),
      expireSession: (id: string, options?: Plain) =>
        c.call("expireTestSession", path(id), options),
    };
  }

  /** Verification sessions (`/v1/sessions`). */
  readonly sessions: {
    /** Creates a session; pass `idempotencyKey` to make retries safe. */
    create(body?: Body<"createSession">, options?: Idempotent): Promise<Data<"createSession">>;
    get(id: string, query?: Query<"getSession">, options?: Plain): Promise<Data<"getSession">>;
    list(query?: Query<"listSessions">, options?: Plain): ListResult<Data<"listSessions">>;
    /** Idempotent: an ended session is returned as it is. */
    cancel(id: string, options?: Plain): Promise<Data<"cancelSession">>;
  };

  /** Verification attempts (`/v1/sessions/attempts`). */
  readonly attempts: {
    list(query?: Query<"listAttempts">, options?: Plain): ListResult<Data<"listAttempts">>;
  };

  /** Webhook endpoints (`/v1/webhooks/endpoints`). */
  readonly webhookEndpoints: {
    /** Answers `{endpoint, signing_secret}`: store the secret, it is shown once. */
    create(
      body: Body<"createWebhookEndpoint">,
      options?: Idempotent,
    ): Promise<Data<"createWebhookEndpoint">>;
    get(id: string, options?: Plain): Promise<Data<"getWebhookEndpoint">>;
    list(
      query?: Query<"listWebhookEndpoints">,
      options?: Plain,
    ): ListResult<Data<"listWebhookEndpoints">>;
    update(
      id: string,
      body: Body<"updateWebhookEndpoint">,
      options?: Plain,
    ): Promise<Data<"updateWebhookEndpoint">>;
    delete(id: string, options?: Plain): Promise<Data<"deleteWebhookEndpoint">>;
    /** A new secret; both are signed with for 24 hours. Not retried: each call rotates. */
    rotateSigningSecret(id: string, options?: Plain): Promise<Data<"rotateWebhookSigningSecret">>;
    revealSigningSecret(id: string, options?: Plain): Promise<Data<"revealWebhookSigningSecret">>;
    /** Sends a signed, encrypted `webhook.test` event through the real delivery path. */
    sendTestEvent(id: string, options?: Plain): Promise<Data<"sendWebhookTestEvent">>;
  };

  /** Webhook encryption keys (`/v1/webhooks/endpoints/{id}/keys`, `/v1/webhooks/keys`). */
  readonly encryptionKeys: {
    /** Registers a public JWK (see `generateEncryptionKeyPair`); it becomes the active key. */
    create(
      endpointId: string,
      body: Body<"createWebhookEncryptionKey">,
      options?: Plain,
    ): Promise<Data<"createWebhookEncryptionKey">>;
    list(
      endpointId: string,
      query?: Query<"listWebhookEncryptionKeys">,
      options?: Plain,
    ): ListResult<Data<"listWebhookEncryptionKeys">>;
    deactivate(keyId: string, options?: Plain): Promise<Data<"deactivateWebhookEncryptionKey">>;
    reactivate(keyId: string, options?: Plain): Promise<Data<"reactivateWebhookEncryptionKey">>;
  };

  /** Webhook events (`/v1/webhooks/events`), stored without claims. */
  readonly events: {
    get(id: string, options?: Plain): Promise<Data<"getWebhookEvent">>;
    list(
      query?: Query<"listWebhookEvents">,
      options?: Plain,
    ): ListResult<Data<"listWebhookEvents">>;
    replay(id: string, options?: Plain): Promise<Data<"replayWebhookEvent">>;
  };

  /** Webhook deliveries (`/v1/webhooks/deliveries`). */
  readonly deliveries: {
    get(id: string, options?: Plain): Promise<Data<"getWebhookDelivery">>;
    list(
      query?: Query<"listWebhookDeliveries">,
      options?: Plain,
    ): ListResult<Data<"listWebhookDeliveries">>;
    retry(id: string, options?: Plain): Promise<Data<"retryWebhookDelivery">>;
  };

  /** Analytics (`/v1/analytics`). */
  readonly analytics: {
    sessionsOverview(options?: Plain): Promise<Data<"getSessionsOverview">>;
  };

  /** Test-mode helpers (test keys only). */
  readonly testHelpers: {
    /** Runs the reference phone against a test session, server-side (`scenario`, default success). */
    simulateSession(
      id: string,
      body?: Body<"simulateSession">,
      options?: Plain,
    ): Promise<Data<"simulateSession">>;
    /** Expires a test session now, as if its hour had passed (`verification.session.expired`). */
    expireSession(id: string, options?: Plain): Promise<Data<"expireTestSession">>;
  };
}
