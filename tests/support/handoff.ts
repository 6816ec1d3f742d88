/**
 * Shared set-up of the handoff, mobile, phone and demo tests: the test app with the handoff
 * services installed (biometric verifier and idle timeout injected), a test organization and
 * key, sessions created through the API, and the app served on a real port for WebSocket tests.
 */
import { bearer, createTestApp, seedApiKey, seedOrganization, type TestApp } from "./app.ts";
import { installHandoffServices } from "../../lib/handoff/services.ts";
import type { BiometricVerifier } from "../../verify/biometric/mod.ts";
import type { KeyMode } from "../../lib/api_keys/api_keys.ts";

/** A test app with an organization and an API key. */
export interface HandoffTestApp extends TestApp {
  orgId: string;
  secret: string;
}

/** A verifier that trusts every face and every pose (only for protocol and race tests). */
export const acceptingBiometric: BiometricVerifier = {
  compareFaces: () => Promise.resolve({ decision: "match", reason: "face_match" }),
  checkLiveness: () => Promise.resolve({ passed: true, reason: "liveness_passed" }),
};

let realVerifier: Promise<BiometricVerifier> | undefined;

/** The real local face verifier (loaded once per process). */
export function realBiometric(): Promise<BiometricVerifier> {
  realVerifier ??= import("../../verify/biometric/mod.ts").then((m) =>
    m.createLocalBiometricVerifier()
  );
  return realVerifier;
}

/** Creates the app with the handoff services. */
export async function setupHandoffApp(
  options: {
    biometric?: BiometricVerifier | null;
    idleTimeoutMs?: number;
    helloTimeoutMs?: number;
    maxPendingSocketsPerAddress?: number;
    mode?: KeyMode;
  } = {},
): Promise<HandoffTestApp> {
  const t = await createTestApp();
  installHandoffServices(t.deps, {
    biometric: options.biometric === undefined ? acceptingBiometric : options.biometric,
    idleTimeoutMs: options.idleTimeoutMs,
    helloTimeoutMs: options.helloTimeoutMs,
    maxPendingSocketsPerAddress: options.maxPendingSocketsPerAddress,
  });
  const { org } = await seedOrganization(t.deps);
  const { secret } = await seedApiKey(t.deps, org.id, { mode: options.mode ?? "test" });
  return { ...t, orgId: org.id, secret };
}

/** Creates a session through the API; returns its id and cancel token. */
export async function createSession(
  t: HandoffTestApp,
  body: Record<string, unknown> = {},
  secret = t.secret,
): Promise<{ id: string; cancelToken: string; verificationUrl: string }> {
  const response = await t.app.request("/v1/sessions", {
    method: "POST",
    headers: { ...bearer(secret), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (response.status !== 200) throw new Error(`session create failed: ${await response.text()}`);
  const { data } = await response.json();
  return { id: data.id, cancelToken: data.cancel_token, verificationUrl: data.verification_url };
}

/** A public JSON request; returns status and parsed body. */
export async function publicCall(
  t: TestApp,
  method: string,
  path: string,
  body?: unknown,
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await t.app.request(path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? JSON.parse(text) : null,
    headers: response.headers,
  };
}

/** Records consent to every requested field (or `keys`). */
export async function consentAll(t: TestApp, sessionId: string, keys?: string[]): Promise<void> {
  const details = await publicCall(t, "GET", `/v1/verify/session/${sessionId}/details`);
  const selected = keys ?? details.body.data.share_fields.map((f: { key: string }) => f.key);
  const result = await publicCall(t, "POST", `/v1/verify/session/${sessionId}/consent`, {
    selected_field_keys: selected,
  });
  if (result.status !== 200) throw new Error(`consent failed: ${JSON.stringify(result.body)}`);
}

/** Serves the app on a free loopback port (WebSocket tests); `close` stops it. */
export function serveApp(t: TestApp): { url: string; wsUrl: string; close(): Promise<void> } {
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, t.app.fetch);
  const { port } = server.addr as Deno.NetAddr;
  // Links the server hands out (mobile_url, verification_url) must point at this port.
  t.deps.config.publicUrl = `http://127.0.0.1:${port}`;
  return {
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () => server.shutdown(),
  };
}

/** Creates a session, consents and takes the handoff; returns the credential. */
export async function sessionWithHandoff(
  t: HandoffTestApp,
  body: Record<string, unknown> = {},
): Promise<
  { id: string; cancelToken: string; token: string; attemptId: string; mobilePath: string }
> {
  const { id, cancelToken } = await createSession(t, body);
  await consentAll(t, id);
  const handoff = await publicCall(t, "POST", `/v1/verify/session/${id}/handoff`);
  if (handoff.status !== 200) throw new Error(`handoff failed: ${JSON.stringify(handoff.body)}`);
  return {
    id,
    cancelToken,
    token: handoff.body.data.mobile_write_token,
    attemptId: handoff.body.data.attempt_id,
    mobilePath: `/v1/verify/session/${id}/mobile`,
  };
}
