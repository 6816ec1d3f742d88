/**
 * "Sign in with a passkey" on `/sign-in`: asks the server for request options, lets the browser
 * offer the user's passkeys (discoverable credentials, no email typed), posts the answer and
 * follows the redirect. Hidden until hydrated, and hidden where passkeys cannot work: browsers
 * without WebAuthn and sites served on an IP address (WebAuthn refuses IP addresses as RP IDs).
 */
import { useEffect, useState } from "preact/hooks";
import { browserSupportsWebAuthn, startAuthentication } from "@simplewebauthn/browser";

/** Props: where to go after signing in (same-site path), as on the password form. */
export interface PasskeySignInProps {
  next?: string;
}

/** The answer of a dashboard JSON endpoint: the `{data, error}` envelope and its status. */
export interface EnvelopeAnswer<T> {
  status: number;
  data: T | null;
  error: { code: string; message: string } | null;
}

/** Posts JSON to a dashboard endpoint (with the CSRF header when given) and reads the envelope. */
export async function postPasskeyJson<T>(
  path: string,
  body: unknown,
  csrfToken?: string,
): Promise<EnvelopeAnswer<T>> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
  };
  if (csrfToken) headers["x-csrf-token"] = csrfToken;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const envelope = await response.json().catch(() => null);
  return {
    status: response.status,
    data: envelope?.data ?? null,
    error: envelope?.error ?? (response.ok ? null : { code: "ERROR", message: "Request failed." }),
  };
}

/** True when a hostname is an IP address literal. */
export function isIpHost(hostname: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.includes(":") ||
    hostname.startsWith("[");
}

type State = "hidden" | "ready" | "working";

export default function PasskeySignIn({ next }: PasskeySignInProps) {
  const [state, setState] = useState<State>("hidden");
  const [message, setMessage] = useState("");
  useEffect(() => {
    if (browserSupportsWebAuthn() && !isIpHost(location.hostname)) setState("ready");
  }, []);
  if (state === "hidden") return <div class="passkey-sign-in" hidden />;
  const signIn = async () => {
    setState("working");
    setMessage("");
    const failure = await signInWithPasskey(next);
    if (failure === "unavailable") return setState("hidden");
    setMessage(failure);
    setState("ready");
  };
  return (
    <div class="passkey-sign-in">
      <p class="divider">or</p>
      <button type="button" class="secondary" onClick={signIn} disabled={state === "working"}>
        {state === "working" ? "Waiting for your passkey…" : "Sign in with a passkey"}
      </button>
      <p class="form-message" role="alert">{message}</p>
    </div>
  );
}

// Returns a message for the user, or "unavailable"; on success the page navigates away.
async function signInWithPasskey(next: string | undefined): Promise<string> {
  try {
    const options = await postPasskeyJson<Parameters<typeof startAuthentication>[0]["optionsJSON"]>(
      "/passkeys/options",
      {},
    );
    if (options.error?.code === "PASSKEYS_UNAVAILABLE") return "unavailable";
    if (!options.data) return options.error?.message ?? "Passkey sign-in failed.";
    const credential = await startAuthentication({ optionsJSON: options.data });
    const result = await postPasskeyJson<{ redirect: string }>("/passkeys/verify", {
      credential,
      next,
    });
    if (result.data) {
      location.assign(result.data.redirect);
      return "";
    }
    if (result.status === 429) return "Too many sign-in attempts. Try again later.";
    return result.error?.message ?? "Passkey sign-in failed.";
  } catch (error) {
    return (error as Error).name === "NotAllowedError"
      ? "Passkey sign-in was cancelled or timed out."
      : "Passkey sign-in failed.";
  }
}
