/**
 * API keys (docs/api.md, docs/accounts.md): created in the dashboard or the admin command line; the secret
 * `kk_<mode>_<32>` is shown once and stored only as a keyed hash.
 * Keys: `["api_keys", id]`, `["api_keys_by_hash", hash]` → a copy of the record (one read per
 * authenticated request; written in the same commit as the primary), `["api_keys_by_org", orgId,
 * id]`.
 */
import { newId, randomAlphanumeric } from "../core/ids.ts";
import type { AppDeps } from "../deps.ts";
import { getManyValues } from "../core/kv.ts";
import { apiKeyCacheOf, forgetCachedKey } from "./key_cache.ts";

/** The KV keys of API keys and of their usage (`lib/api_keys/usage.ts`). */
export const apiKeyKeys = {
  apiKey: (id: string) => ["api_keys", id] as const,
  /** A copy of the record, found by the secret's keyed hash (unique). */
  byHash: (secretHash: string) => ["api_keys_by_hash", secretHash] as const,
  byOrg: (orgId: string, id: string) => ["api_keys_by_org", orgId, id] as const,
  byOrgPrefix: (orgId: string) => ["api_keys_by_org", orgId] as const,
  usage: (id: string) => ["api_key_usage", id] as const,
};

/** Every API scope. */
export const SCOPES = [
  "sessions:read",
  "sessions:write",
  "webhooks:read",
  "webhooks:write",
  "analytics:read",
] as const;

/** An API scope. */
export type Scope = typeof SCOPES[number];

/** Live or test keys (test keys create test sessions). */
export type KeyMode = "live" | "test";

/** A stored API key (no secret). */
export interface ApiKeyRecord {
  id: string;
  orgId: string;
  name: string;
  scopes: Scope[];
  mode: KeyMode;
  /** Last four characters of the secret, to recognise it in lists. */
  lastFour: string;
  secretHash: string;
  status: "active" | "disabled";
  createdAt: string;
  createdBy: string | null;
}

/** True when the key's scopes grant `needed` (a write scope implies its read). */
export function hasScope(scopes: readonly Scope[], needed: Scope): boolean {
  if (scopes.includes(needed)) return true;
  return needed.endsWith(":read") && scopes.includes(needed.replace(":read", ":write") as Scope);
}

/** Shape of an API key secret. */
export const API_KEY_PATTERN = /^kk_(live|test)_[a-z0-9]{32}$/;

/** Creates a key; returns the record and the plaintext secret (shown once). */
export async function createApiKey(
  deps: Pick<AppDeps, "kv" | "keys" | "clock" | "random">,
  input: { orgId: string; name: string; scopes: Scope[]; mode: KeyMode; createdBy: string | null },
): Promise<{ key: ApiKeyRecord; secret: string }> {
  if (input.scopes.length === 0) throw new Error("an API key needs at least one scope");
  const secret = `kk_${input.mode}_${randomAlphanumeric(32, deps.random)}`;
  const key: ApiKeyRecord = {
    id: newId("key", deps.random),
    orgId: input.orgId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    mode: input.mode,
    lastFour: secret.slice(-4),
    secretHash: await deps.keys.hash(`api-key:${secret}`),
    status: "active",
    createdAt: deps.clock.now().toISOString(),
    createdBy: input.createdBy,
  };
  const result = await deps.kv.atomic()
    .check({ key: apiKeyKeys.byHash(key.secretHash), versionstamp: null })
    .set(apiKeyKeys.apiKey(key.id), key)
    .set(apiKeyKeys.byHash(key.secretHash), key)
    .set(apiKeyKeys.byOrg(key.orgId, key.id), key.id)
    .commit();
  if (!result.ok) throw new Error("API key collision; retry");
  return { key, secret };
}

/** Finds the key of a presented secret by its keyed hash (no secret comparison by value). */
export async function findApiKeyBySecret(
  deps: Pick<AppDeps, "kv" | "keys" | "clock">,
  secret: string,
): Promise<ApiKeyRecord | null> {
  const hash = await deps.keys.hash(`api-key:${secret}`);
  const cache = apiKeyCacheOf(deps.kv, deps.clock);
  const cached = cache.get(hash);
  if (cached) return cached;
  const record = (await deps.kv.get<ApiKeyRecord>(apiKeyKeys.byHash(hash))).value;
  if (record) cache.set(hash, record);
  return record;
}

/** Reads a key by id within an organization. */
export async function getApiKey(
  kv: Deno.Kv,
  orgId: string,
  id: string,
): Promise<ApiKeyRecord | null> {
  const key = (await kv.get<ApiKeyRecord>(apiKeyKeys.apiKey(id))).value;
  return key && key.orgId === orgId ? key : null;
}

/** The organization's keys, newest first. */
export async function listApiKeys(kv: Deno.Kv, orgId: string): Promise<ApiKeyRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: apiKeyKeys.byOrgPrefix(orgId) })) {
    ids.push(e.value);
  }
  const entries = await getManyValues<ApiKeyRecord>(kv, ids.map(apiKeyKeys.apiKey));
  return entries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Disables or re-enables a key (re-checking what it read). */
export async function setApiKeyStatus(
  kv: Deno.Kv,
  orgId: string,
  id: string,
  status: ApiKeyRecord["status"],
): Promise<ApiKeyRecord | null> {
  for (;;) {
    const entry = await kv.get<ApiKeyRecord>(apiKeyKeys.apiKey(id));
    if (!entry.value || entry.value.orgId !== orgId) return null;
    const updated = { ...entry.value, status };
    const result = await kv.atomic().check(entry)
      .set(apiKeyKeys.apiKey(id), updated)
      .set(apiKeyKeys.byHash(updated.secretHash), updated)
      .commit();
    if (result.ok) {
      forgetCachedKey(kv, updated.secretHash);
      return updated;
    }
  }
}

/** Deletes a key and its indexes; the secret stops working at once. */
export async function deleteApiKey(kv: Deno.Kv, orgId: string, id: string): Promise<boolean> {
  const entry = await kv.get<ApiKeyRecord>(apiKeyKeys.apiKey(id));
  if (!entry.value || entry.value.orgId !== orgId) return false;
  const result = await kv.atomic().check(entry)
    .delete(apiKeyKeys.apiKey(id))
    .delete(apiKeyKeys.byHash(entry.value.secretHash))
    .delete(apiKeyKeys.byOrg(orgId, id))
    .delete(apiKeyKeys.usage(id))
    .commit();
  if (result.ok) forgetCachedKey(kv, entry.value.secretHash);
  return result.ok;
}
