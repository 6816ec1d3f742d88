/**
 * "Add a passkey" on `/account`: fetches creation options (with the session's CSRF token in
 * `X-CSRF-Token`), lets the browser create the credential, posts it with the chosen name, then
 * reloads the page so the list shows the new passkey. Needs JavaScript: disabled until hydrated.
 */
import { useEffect, useState } from "preact/hooks";
import { browserSupportsWebAuthn, startRegistration } from "@simplewebauthn/browser";
import { postPasskeyJson } from "./PasskeySignIn.tsx";

/** Props: the session's CSRF token. */
export interface PasskeyRegisterProps {
  csrfToken: string;
}

type State = "loading" | "ready" | "working" | "unsupported";

export default function PasskeyRegister({ csrfToken }: PasskeyRegisterProps) {
  const [state, setState] = useState<State>("loading");
  const [name, setName] = useState("");
  const [message, setMessage] = useState("");
  useEffect(() => setState(browserSupportsWebAuthn() ? "ready" : "unsupported"), []);
  const add = async (event: Event) => {
    event.preventDefault();
    setState("working");
    setMessage("");
    const failure = await registerPasskey(name, csrfToken);
    if (!failure) return location.reload();
    setMessage(failure);
    setState("ready");
  };
  return (
    <form class="passkey-register" onSubmit={add} data-testid="passkey-register">
      <div class="field">
        <label for="passkey-name">Passkey name</label>
        <input
          id="passkey-name"
          name="name"
          maxLength={64}
          placeholder="e.g. Work laptop"
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </div>
      <button type="submit" disabled={state !== "ready"}>
        {state === "working" ? "Waiting for your authenticator…" : "Add a passkey"}
      </button>
      <p class="form-message" role="alert">
        {state === "unsupported" ? "This browser does not support passkeys." : message}
      </p>
    </form>
  );
}

// Returns "" on success, else a message for the user.
async function registerPasskey(name: string, csrfToken: string): Promise<string> {
  try {
    const options = await postPasskeyJson<Parameters<typeof startRegistration>[0]["optionsJSON"]>(
      "/account/passkeys/options",
      {},
      csrfToken,
    );
    if (!options.data) return options.error?.message ?? "Could not start adding a passkey.";
    const credential = await startRegistration({ optionsJSON: options.data });
    const result = await postPasskeyJson(
      "/account/passkeys/verify",
      { name, credential },
      csrfToken,
    );
    return result.error ? result.error.message : "";
  } catch (error) {
    const name = (error as Error).name;
    if (name === "InvalidStateError") return "This passkey is already registered.";
    if (name === "NotAllowedError") return "Adding the passkey was cancelled or timed out.";
    return "Could not add the passkey.";
  }
}
