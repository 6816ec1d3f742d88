/**
 * Test mode's simulator (docs/api.md#test-and-live): `POST /v1/test_helpers/sessions/:id/simulate` runs the
 * reference phone against a test session inside the server — the same consent, handoff, hello,
 * uploads and pipeline as a real phone, over an in-process pipe instead of a socket.
 */
import type { AppDeps } from "../deps.ts";
import { getConsent, recordConsent } from "../sessions/consent.ts";
import { getSessionRecord } from "../sessions/sessions.ts";
import { createQueueChannel, type PhoneApi, type PhoneResult, runPhone } from "../../phone/mod.ts";
import { MobileConnection } from "./connection.ts";
import { issueHandoff } from "./handoff.ts";
import { handoffServices } from "./services.ts";

/** The device id the simulator claims attempts with (so repeated simulations resume cleanly). */
export const SIMULATOR_DEVICE_ID = "kayle-test-simulator";

/** The phone's public surface, served in-process. */
export function inProcessPhoneApi(deps: AppDeps): PhoneApi {
  return {
    async consent(sessionId) {
      const session = await getSessionRecord(deps.kv, sessionId);
      if (!session || session.status !== "created") return;
      if (await getConsent(deps.kv, sessionId)) return;
      await recordConsent(deps, sessionId, Object.keys(session.shareFields));
    },
    async handoff(sessionId) {
      const handoff = await issueHandoff(deps, sessionId);
      return {
        attemptId: handoff.attempt_id,
        token: handoff.mobile_write_token,
        mobileUrl: handoff.mobile_url,
      };
    },
    openMobile(_mobileUrl, sessionId) {
      let connection: MobileConnection | null = null;
      const channel = createQueueChannel(
        (text) => void connection?.receiveText(text),
        () => connection?.transportClosed(),
      );
      connection = new MobileConnection(deps, handoffServices(deps), {
        send: (text) => channel.deliver(text),
        close: (code, reason) => channel.end(code, reason),
      }, sessionId);
      return Promise.resolve(channel);
    },
  };
}

/** Runs a scenario against a session in-process; resolves with what the phone was told. */
export async function simulateSession(
  deps: AppDeps,
  sessionId: string,
  scenario: string,
): Promise<PhoneResult> {
  return await runPhone({
    api: inProcessPhoneApi(deps),
    sessionId,
    scenario,
    deviceId: SIMULATOR_DEVICE_ID,
    appVersion: "kayle-simulator/1",
    now: deps.clock.now(),
  });
}
