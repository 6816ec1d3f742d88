/**
 * API keys (docs/api.md, docs/accounts.md): created in the dashboard or the admin command line; the secret
 * `kk_<mode>_<32>` is shown once and stored only as a keyed hash.
 * Keys: `["api_keys", id]`, `["api_keys_by_hash", hash]` → a copy of the record (one read per
 * authenticated request; written in the same commit as the primary), `["api_keys_by_org", orgId,
 * id]`.
 */
import { newId, randomAlphanumeric } from "../core/ids.ts";
import type { AppDeps } from "../deps.ts";

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
    .check({ key: ["api_keys_by_hash", key.secretHash], versionstamp: null })
    .set(["api_keys", key.id], key)
    .set(["api_keys_by_hash", key.secretHash], key)
    .set(["api_keys_by_org", key.orgId, key.id], key.id)
    .commit();
  if (!result.ok) throw new Error("API key collision; retry");
  return { key, secret };
}

/** Finds the key of a presented secret by its keyed hash (no secret comparison by value). */
export async function findApiKeyBySecret(
  deps: Pick<AppDeps, "kv" | "keys">,
  secret: string,
): Promise<ApiKeyRecord | null> {
  const hash = await deps.keys.hash(`api-key:${secret}`);
  return (await deps.kv.get<ApiKeyRecord>(["api_keys_by_hash", hash])).value;
}

/** Reads a key by id within an organization. */
export async function getApiKey(
  kv: Deno.Kv,
  orgId: string,
  id: string,
): Promise<ApiKeyRecord | null> {
  const key = (await kv.get<ApiKeyRecord>(["api_keys", id])).value;
  return key && key.orgId === orgId ? key : null;
}

/** The organization's keys, newest first. */
export async function listApiKeys(kv: Deno.Kv, orgId: string): Promise<ApiKeyRecord[]> {
  const ids: string[] = [];
  for await (const e of kv.list<string>({ prefix: ["api_keys_by_org", orgId] })) ids.push(e.value);
  const entries = ids.length ? await getMany(kv, ids) : [];
  return entries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

async function getMany(kv: Deno.Kv, ids: string[]): Promise<ApiKeyRecord[]> {
  const out: ApiKeyRecord[] = [];
  for (let i = 0; i < ids.length; i += 10) {
    const batch = await kv.getMany<ApiKeyRecord[]>(
      ids.slice(i, i + 10).map((id) => ["api_keys", id]),
    );
    for (const e of batch) if (e.value) out.push(e.value);
  }
  return out;
}

/** Disables or re-enables a key (re-checking what it read). */
export async function setApiKeyStatus(
  kv: Deno.Kv,
  orgId: string,
  id: string,
  status: ApiKeyRecord["status"],
): Promise<ApiKeyRecord | null> {
  for (;;) {
    const entry = await kv.get<ApiKeyRecord>(["api_keys", id]);
    if (!entry.value || entry.value.orgId !== orgId) return null;
    const updated = { ...entry.value, status };
    const result = await kv.atomic().check(entry)
      .set(["api_keys", id], updated)
      .set(["api_keys_by_hash", updated.secretHash], updated)
      .commit();
    if (result.ok) return updated;
  }
}

/** Deletes a key and its indexes; the secret stops working at once. */
export async function deleteApiKey(kv: Deno.Kv, orgId: string, id: string): Promise<boolean> {
  const entry = await kv.get<ApiKeyRecord>(["api_keys", id]);
  if (!entry.value || entry.value.orgId !== orgId) return false;
  const result = await kv.atomic().check(entry)
    .delete(["api_keys", id])
    .delete(["api_keys_by_hash", entry.value.secretHash])
    .delete(["api_keys_by_org", orgId, id])
    .delete(["api_key_usage", id])
    .commit();
  return result.ok;
}
