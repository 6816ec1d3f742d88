/**
 * Fixtures of the webhooks tests: an RSA key pair, a real loopback receiver that checks the
 * signature as the docs describe (its own HMAC code, not the server's) and decrypts with jose's
 * `compactDecrypt`, an organization with an endpoint and a key, and event writing through
 * `addEventToCommit` as the sessions layer will.
 */
import { compactDecrypt } from "jose";
import type { AppDeps } from "../../lib/deps.ts";
import { addEventToCommit, type EventRecord, type EventType } from "../../lib/events/events.ts";
import { createEndpoint } from "../../webhooks/endpoints.ts";
import { addEncryptionKey, validatePublicJwk } from "../../webhooks/encryption_keys.ts";
import { type EndpointRecord, webhookKeys, type WebhookMode } from "../../webhooks/model.ts";
import { seedOrganization } from "./app.ts";
import { type EncryptionKeyPair, generateEncryptionKeyPair } from "../../webhooks/receiver.ts";

/** An integrator's key pair. */
export type KeyPair = EncryptionKeyPair;

let cachedPair: Promise<KeyPair> | null = null;

/** A fresh RSA-OAEP-256 pair (2048 bits: faster to generate in tests). */
export function generateKeyPair(bits = 2048): Promise<KeyPair> {
  return generateEncryptionKeyPair(bits);
}

/** One key pair shared by the tests of a process (generation is slow). */
export function sharedKeyPair(): Promise<KeyPair> {
  cachedPair ??= generateKeyPair();
  return cachedPair;
}

/** A request the receiver accepted. */
export interface Received {
  eventId: string;
  event: { type: string; metadata: Record<string, unknown>; data: Record<string, unknown> };
  deliveryId: string;
  attempt: number;
  eventHeader: string;
  signatures: number;
  kid: string;
  /** When the request arrived and when it was answered (ms, real time). */
  arrivedAt: number;
  answeredAt: number;
}

/** A loopback receiver. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Requests that arrived, whatever the answer. */
  hits: number;
  /** Requests refused for a bad signature, content type or decryption. */
  rejected: string[];
  /** What to answer (default 200); may wait. */
  respond: (request: Request) => Response | Promise<Response>;
  close(): Promise<void>;
}

async function hmacHex(secret: string, message: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    enc.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Starts a receiver on 127.0.0.1:0 that verifies with `secrets()` and decrypts with `privateKey`. */
export function startReceiver(
  options: { secrets: () => string[]; privateKey: CryptoKey; now?: () => number },
): Receiver {
  const receiver: Receiver = {
    url: "",
    received: [],
    hits: 0,
    rejected: [],
    respond: () => new Response("ok"),
    close: async () => {},
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      receiver.hits++;
      const arrivedAt = Date.now();
      const body = await request.text();
      const answer = await receiver.respond(request);
      if (answer.status >= 300) return answer;
      const header = request.headers.get("x-kayle-signature") ?? "";
      const t = Number(/(?:^|,)t=(\d+)/.exec(header)?.[1]);
      const v1 = [...header.matchAll(/v1=([0-9a-f]{64})/g)].map((m) => m[1]);
      const now = Math.floor((options.now?.() ?? Date.now()) / 1000);
      const expected = await Promise.all(options.secrets().map((s) => hmacHex(s, `${t}.${body}`)));
      if (request.headers.get("content-type") !== "application/jose") {
        receiver.rejected.push(
          "content_type",
        );
      } else if (!(Math.abs(now - t) <= 300)) receiver.rejected.push("timestamp");
      else if (!v1.some((v) => expected.includes(v))) receiver.rejected.push("signature");
      else {
        const { plaintext, protectedHeader } = await compactDecrypt(body, options.privateKey);
        const event = JSON.parse(new TextDecoder().decode(plaintext));
        receiver.received.push({
          eventId: event.metadata.event_id,
          event,
          deliveryId: request.headers.get("x-kayle-delivery-id") ?? "",
          attempt: Number(request.headers.get("x-kayle-attempt")),
          eventHeader: request.headers.get("x-kayle-event") ?? "",
          signatures: v1.length,
          kid: String(protectedHeader.kid),
          arrivedAt,
          answeredAt: Date.now(),
        });
        return answer;
      }
      return new Response("bad signature", { status: 400 });
    },
  );
  receiver.url = `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/hooks`;
  // A test that failed mid-way can leave a response pending forever; never hang the suite on it.
  receiver.close = async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      server.shutdown(),
      new Promise((resolve) => (timer = setTimeout(resolve, 3000))),
    ]);
    clearTimeout(timer);
  };
  return receiver;
}

/** An organization with one endpoint (and, unless told otherwise, an active key). */
export async function seedWebhookEndpoint(
  deps: AppDeps,
  options: {
    url: string;
    publicJwk?: JsonWebKey;
    mode?: WebhookMode;
    orgId?: string;
    retentionHours?: 0 | 24 | 72 | 168;
  },
): Promise<{ orgId: string; endpoint: EndpointRecord; signingSecret: string }> {
  const orgId = options.orgId ?? (await seedOrganization(deps)).org.id;
  const { endpoint, signingSecret } = await createEndpoint(deps, orgId, options.mode ?? "test", {
    name: "receiver",
    url: options.url,
    retentionHours: options.retentionHours,
  });
  if (options.publicJwk) {
    const checked = await validatePublicJwk(options.publicJwk);
    if (!checked.ok) throw new Error(checked.problem.message);
    const entry = await deps.kv.get<EndpointRecord>(webhookKeys.endpoint(endpoint.id));
    await addEncryptionKey(deps, entry as Deno.KvEntry<EndpointRecord>, checked);
  }
  const fresh = (await deps.kv.get<EndpointRecord>(webhookKeys.endpoint(endpoint.id))).value!;
  return { orgId, endpoint: fresh, signingSecret };
}

/** Writes one event in its own commit, as a state change would. */
export async function writeEvent(
  deps: AppDeps,
  orgId: string,
  options: Parameters<typeof commitEvent>[2] = {},
): Promise<EventRecord> {
  return (await commitEvent(deps, orgId, options)).event;
}

/** {@link writeEvent}, also returning the versionstamp of the event's commit. */
export async function commitEvent(
  deps: AppDeps,
  orgId: string,
  options: {
    type?: EventType;
    mode?: WebhookMode;
    webhookEndpointId?: string;
    data?: Record<string, unknown>;
  } = {},
): Promise<{ event: EventRecord; versionstamp: string }> {
  const op = deps.kv.atomic();
  const event = await addEventToCommit(deps, op, {
    orgId,
    mode: options.mode ?? "test",
    type: options.type ?? "verification.session.succeeded",
    sessionId: `vs_${"a".repeat(64)}`,
    data: options.data ?? {
      claims: { family_name: "Curie", kayle_document_id: "kdid_00" },
      selected_field_keys: ["family_name", "kayle_document_id"],
    },
    webhookEndpointId: options.webhookEndpointId ?? null,
  });
  const result = await op.commit();
  if (!result.ok) throw new Error("event commit failed");
  return { event, versionstamp: result.versionstamp };
}

/** Waits (polling every 10 ms) until `condition` holds; fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
