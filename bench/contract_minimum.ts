/**
 * The least a webhook delivery must do under this product's contract (docs/webhooks.md), as a
 * yardstick for the burst goal of issue 15 (docs/performance.md, "Webhooks"):
 *
 * 1. the event and its delivery committed together, each with one list entry (the events list and
 *    the deliveries list of `GET /v1/webhooks/events` and `/deliveries`);
 * 2. the payload encrypted (RSA-OAEP-256 + A256GCM) and signed, by the product's own
 *    `encryptPayload` and `signatureHeader`;
 * 3. the POST;
 * 4. the outcome committed: the delivery's status and its attempt.
 *
 * Both commits go through the product's group committer. Everything else the product does is left
 * out: reading the endpoint and its key, keeping the payload for retries, the filtered lists (by
 * type, session, status, endpoint, event), the claim, the crash fallback job, the URL check,
 * logging. So its cost is a lower bound on the product's, and its ratio to the floor an upper bound
 * on the product's.
 */
import { encryptPayload, signatureHeader } from "../webhooks/signing.ts";
import { eventPayload, type EventRecord } from "../lib/events/events.ts";
import { groupCommitterOf } from "../lib/core/group_commit.ts";
import type { PublicRsaJwk } from "../webhooks/model.ts";

/** Where the minimum delivers, and with what. */
export interface MinimumTarget {
  url: string;
  /** The receiver's public key, as an endpoint's active key holds it. */
  jwk: PublicRsaJwk;
  /** The endpoint's signing secret, imported once as the worker keeps it. */
  signingKey: CryptoKey;
}

/** The KV keys the minimum writes: five per delivery. */
export const minimumKeys = {
  event: (id: string) => ["min_events", id],
  eventListed: (at: number, id: string) => ["min_events_by_org", "org_min", "test", at, id],
  delivery: (id: string) => ["min_deliveries", id],
  deliveryListed: (at: number, id: string) => ["min_deliveries_by_org", "org_min", "test", at, id],
  attempt: (deliveryId: string) => ["min_attempts", deliveryId, 1],
};

const DATA = {
  claims: { kayle_document_id: "kdid_bench" },
  selected_field_keys: ["kayle_document_id"],
};

function id(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** One delivery of a new event, as the least work the contract asks; resolves to its ms. */
export function contractMinimumDelivery(
  kv: Deno.Kv,
  target: MinimumTarget,
): () => Promise<number> {
  const committer = groupCommitterOf(kv);
  return async () => {
    const started = performance.now();
    const at = Date.now();
    const event: EventRecord = {
      id: id("evt"),
      orgId: "org_min",
      mode: "test",
      type: "verification.session.succeeded",
      sessionId: `vs_${"b".repeat(64)}`,
      attemptId: null,
      data: { selected_field_keys: DATA.selected_field_keys },
      webhookEndpointId: null,
      createdAt: new Date(at).toISOString(),
      sequence: at * 1000,
    };
    const delivery = {
      id: id("whd"),
      eventId: event.id,
      endpointId: "whe_min",
      status: "pending",
      attemptCount: 0,
      createdAt: event.createdAt,
      updatedAt: event.createdAt,
    };
    const born = await committer.atomic()
      .set(minimumKeys.event(event.id), event)
      .set(minimumKeys.eventListed(at, event.id), null)
      .set(minimumKeys.delivery(delivery.id), delivery)
      .set(minimumKeys.deliveryListed(at, delivery.id), null)
      .commit();
    if (!born.ok) throw new Error("the minimum's event commit failed");

    const body = await encryptPayload(target.jwk, eventPayload(event, DATA));
    const timestamp = Math.floor(Date.now() / 1000);
    const response = await fetch(target.url, {
      method: "POST",
      body,
      headers: {
        "content-type": "application/jose",
        "x-kayle-signature": await signatureHeader([target.signingKey], timestamp, body),
        "x-kayle-delivery-id": delivery.id,
      },
    });
    await response.body?.cancel();

    const now = new Date().toISOString();
    const succeeded = response.status >= 200 && response.status < 300;
    const outcome = await committer.atomic()
      .set(minimumKeys.delivery(delivery.id), {
        ...delivery,
        status: succeeded ? "succeeded" : "failed",
        attemptCount: 1,
        updatedAt: now,
      })
      .set(minimumKeys.attempt(delivery.id), { statusCode: response.status, at: now })
      .commit();
    if (!outcome.ok) throw new Error("the minimum's outcome commit failed");
    return performance.now() - started;
  };
}
