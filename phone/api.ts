/**
 * The public endpoints the reference phone calls as the user: the consent screen's details and
 * consent, the handoff, and the WebSocket. {@link httpPhoneApi} speaks HTTP to a running server;
 * the server-side simulator supplies an in-process implementation of the same interface.
 */
import { openWebSocketChannel, type PhoneChannel, PhoneProtocolError } from "./channel.ts";

/** What the phone needs to start: the handoff's credential. */
export interface PhoneHandoff {
  attemptId: string;
  token: string;
  mobileUrl: string;
}

/** The public surface the phone uses. */
export interface PhoneApi {
  /** Consents to every requested share field (the user ticks all boxes), unless already done. */
  consent(sessionId: string): Promise<void>;
  handoff(sessionId: string): Promise<PhoneHandoff>;
  openMobile(mobileUrl: string, sessionId: string): Promise<PhoneChannel>;
}

interface Envelope<T> {
  data: T | null;
  error: { code: string; message: string } | null;
}

/** The public API of a server at `baseUrl` over HTTP and WebSocket. */
export function httpPhoneApi(baseUrl: string, fetchFn: typeof fetch = fetch): PhoneApi {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await fetchFn(`${baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const envelope = await response.json() as Envelope<T>;
    if (!response.ok || envelope.error) {
      throw new PhoneProtocolError(
        envelope.error?.code ?? `HTTP_${response.status}`,
        envelope.error?.message ?? "",
      );
    }
    return envelope.data as T;
  };
  return {
    async consent(sessionId) {
      const details = await call<
        { share_fields: Array<{ key: string }>; consent: unknown; status: string }
      >(
        "GET",
        `/v1/verify/session/${sessionId}/details`,
      );
      if (details.consent && details.status !== "created") return;
      await call("POST", `/v1/verify/session/${sessionId}/consent`, {
        selected_field_keys: details.share_fields.map((f) => f.key),
      });
    },
    async handoff(sessionId) {
      const data = await call<
        { attempt_id: string; mobile_write_token: string; mobile_url: string }
      >(
        "POST",
        `/v1/verify/session/${sessionId}/handoff`,
      );
      return {
        attemptId: data.attempt_id,
        token: data.mobile_write_token,
        mobileUrl: data.mobile_url,
      };
    },
    openMobile: (mobileUrl) => openWebSocketChannel(mobileUrl),
  };
}
