/**
 * Webhook endpoints (docs/webhooks.md): CRUD per organization and mode, and the signing secret —
 * sealed at rest with the server key (AES-256-GCM, bound to the endpoint id), revealed on
 * request, rotated with the old secret still signing for 24 hours.
 */
import { isId, newId } from "../lib/core/ids.ts";
import { getManyValues } from "../lib/core/kv.ts";
import { inScope, type OrgLookup, type OrgMode } from "../lib/core/org_mode.ts";
import type { AppDeps } from "../lib/deps.ts";
import { EVENT_TYPES, type EventType } from "../lib/events/events.ts";
import { webhooksDisabled } from "../lib/http/errors.ts";
import { generateSigningSecret, signingKeyOf } from "./signing.ts";
import type { EndpointRecord, RetentionHours, SealedSecret, WebhookMode } from "./model.ts";
import { webhookKeys } from "./model.ts";

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600 * 1000;

/** What a caller may set on an endpoint. */
export interface EndpointInput {
  name: string;
  url: string;
  enabled?: boolean;
  subscribedEventTypes?: EventType[];
  labels?: string[];
  retentionHours?: RetentionHours;
  deliveredRetentionHours?: RetentionHours;
}

type SecretDeps = Pick<AppDeps, "keys" | "clock">;

async function sealSecret(
  deps: SecretDeps,
  endpointId: string,
  secret: string,
  expiresAt: string | null,
): Promise<SealedSecret> {
  return {
    sealed: await deps.keys.seal(secret, `webhook-secret:${endpointId}`),
    createdAt: deps.clock.now().toISOString(),
    expiresAt,
  };
}

/** Creates an endpoint; returns it with its signing secret in clear (shown once). */
export async function createEndpoint(
  deps: Pick<AppDeps, "kv" | "keys" | "clock" | "random" | "services">,
  orgId: string,
  mode: WebhookMode,
  input: EndpointInput,
): Promise<{ endpoint: EndpointRecord; signingSecret: string }> {
  // An endpoint nothing would deliver to is refused, not stored (lib/platform.ts wires webhooks).
  if (!deps.services.eventFanout) throw webhooksDisabled();
  const id = newId("whe", deps.random);
  const signingSecret = generateSigningSecret(deps.random);
  const now = deps.clock.now().toISOString();
  const endpoint: EndpointRecord = {
    id,
    orgId,
    mode,
    name: input.name,
    url: input.url,
    enabled: input.enabled ?? true,
    subscribedEventTypes: input.subscribedEventTypes ?? [...EVENT_TYPES],
    labels: input.labels ?? [],
    retentionHours: input.retentionHours ?? 72,
    deliveredRetentionHours: input.deliveredRetentionHours ?? 0,
    secret: await sealSecret(deps, id, signingSecret, null),
    previousSecret: null,
    activeKeyId: null,
    createdAt: now,
    updatedAt: now,
  };
  const result = await deps.kv.atomic()
    .check({ key: webhookKeys.endpoint(id), versionstamp: null })
    .set(webhookKeys.endpoint(id), endpoint)
    .set(webhookKeys.endpointByOrg({ orgId, mode }, id), id)
    .commit();
  if (!result.ok) throw new Error("webhook endpoint id collision; retry");
  return { endpoint, signingSecret };
}

/** Reads an endpoint entry in `scope` (null for another organization's or mode's, or a bad id). */
export async function getEndpointEntry(
  kv: Deno.Kv,
  scope: OrgLookup,
  id: string,
): Promise<Deno.KvEntry<EndpointRecord> | null> {
  if (!isId("whe", id)) return null;
  const entry = await kv.get<EndpointRecord>(webhookKeys.endpoint(id));
  return entry.value && inScope(entry.value, scope) ? entry as Deno.KvEntry<EndpointRecord> : null;
}

/** The endpoints of one organization and mode, newest first (read from that mode's index). */
export async function listEndpoints(kv: Deno.Kv, scope: OrgMode): Promise<EndpointRecord[]> {
  const ids: string[] = [];
  const prefix = webhookKeys.endpointsByOrgPrefix(scope);
  for await (const e of kv.list<string>({ prefix })) ids.push(e.value);
  const out = await getManyValues<EndpointRecord>(kv, ids.map(webhookKeys.endpoint));
  return out.filter((e) => inScope(e, scope)).sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)
  );
}

/** Applies a partial update, re-checking the record read; null when it is gone. */
export async function updateEndpoint(
  deps: Pick<AppDeps, "kv" | "clock">,
  scope: OrgLookup,
  id: string,
  patch: Partial<EndpointInput>,
): Promise<EndpointRecord | null> {
  for (;;) {
    const entry = await getEndpointEntry(deps.kv, scope, id);
    if (!entry) return null;
    const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    const updated: EndpointRecord = {
      ...entry.value,
      ...defined,
      updatedAt: deps.clock.now().toISOString(),
    };
    if ((await deps.kv.atomic().check(entry).set(entry.key, updated).commit()).ok) return updated;
  }
}

/**
 * Deletes an endpoint and its keys. Deliveries stay as history; pending ones end `failed`
 * (`endpoint_gone`) when the worker finds the endpoint missing.
 */
export async function deleteEndpoint(
  kv: Deno.Kv,
  scope: OrgLookup,
  id: string,
): Promise<boolean> {
  const entry = await getEndpointEntry(kv, scope, id);
  if (!entry) return false;
  const op = kv.atomic().check(entry)
    .delete(entry.key)
    .delete(webhookKeys.endpointByOrg(entry.value, id));
  for await (const k of kv.list<string>({ prefix: webhookKeys.keysByEndpointPrefix(id) })) {
    op.delete(k.key).delete(webhookKeys.key(k.value));
  }
  return (await op.commit()).ok;
}

/** Replaces the signing secret; the old one keeps signing for 24 h. Returns the new secret. */
export async function rotateSigningSecret(
  deps: Pick<AppDeps, "kv" | "keys" | "clock" | "random">,
  scope: OrgLookup,
  id: string,
): Promise<{ endpoint: EndpointRecord; signingSecret: string } | null> {
  for (;;) {
    const entry = await getEndpointEntry(deps.kv, scope, id);
    if (!entry) return null;
    const now = deps.clock.now();
    const signingSecret = generateSigningSecret(deps.random);
    const expiresAt = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
    const endpoint: EndpointRecord = {
      ...entry.value,
      secret: await sealSecret(deps, id, signingSecret, null),
      previousSecret: { ...entry.value.secret, expiresAt },
      updatedAt: now.toISOString(),
    };
    if ((await deps.kv.atomic().check(entry).set(entry.key, endpoint).commit()).ok) {
      return { endpoint, signingSecret };
    }
  }
}

/** The current signing secret in clear. */
export async function revealSigningSecret(
  deps: Pick<AppDeps, "keys">,
  endpoint: EndpointRecord,
): Promise<string> {
  return await deps.keys.open(endpoint.secret.sealed, `webhook-secret:${endpoint.id}`);
}

/**
 * The keys that sign now (as {@link signingSecrets}), imported once per sealed secret into
 * `cache`: a delivery try then needs neither the secret's decryption nor an HMAC import. The
 * cache holds non-extractable keys, named by the endpoint and the sealed (encrypted) text — a
 * rotation seals a new text, so it is never stale — and never a secret in clear.
 */
export function signingKeys(
  deps: SecretDeps,
  endpoint: EndpointRecord,
  cache: Map<string, Promise<CryptoKey>>,
): Promise<CryptoKey[]> {
  const sealed = [endpoint.secret.sealed];
  const previous = endpoint.previousSecret;
  if (previous?.expiresAt && new Date(previous.expiresAt) > deps.clock.now()) {
    sealed.push(previous.sealed);
  }
  return Promise.all(sealed.map((text) => {
    const name = `${endpoint.id}:${text}`;
    let key = cache.get(name);
    if (!key) {
      if (cache.size >= 1000) cache.clear();
      key = deps.keys.open(text, `webhook-secret:${endpoint.id}`).then(signingKeyOf);
      key.catch(() => cache.delete(name));
      cache.set(name, key);
    }
    return key;
  }));
}

/** The secrets that sign now: the current one, and the previous one within its 24 h. */
export async function signingSecrets(
  deps: SecretDeps,
  endpoint: EndpointRecord,
): Promise<string[]> {
  const secrets = [await revealSigningSecret(deps, endpoint)];
  const previous = endpoint.previousSecret;
  if (previous?.expiresAt && new Date(previous.expiresAt) > deps.clock.now()) {
    secrets.push(await deps.keys.open(previous.sealed, `webhook-secret:${endpoint.id}`));
  }
  return secrets;
}
