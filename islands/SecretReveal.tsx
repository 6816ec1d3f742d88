/**
 * Shows a secret (API key, invitation link: displayed only once; a webhook signing secret: owners
 * can reveal it again), with show/hide and copy.
 * Server-rendered visible so it works without JavaScript; hydrated for the buttons.
 */
import { useState } from "preact/hooks";

/** Props: the secret and what it is called. */
export interface SecretRevealProps {
  secret: string;
  label: string;
  /** What the user is told about seeing it again; default: it is shown only once. */
  note?: string;
}

export default function SecretReveal({ secret, label, note }: SecretRevealProps) {
  const [visible, setVisible] = useState(true);
  const [copied, setCopied] = useState<"" | "copied" | "manual">("");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("copied");
    } catch {
      setCopied("manual");
    }
  };
  return (
    <div class="secret">
      <p>
        <strong>{label}</strong> — {note ?? "copy it now: it is shown only once."}
      </p>
      <code data-testid="secret-value" aria-label={label}>
        {visible ? secret : "•".repeat(Math.min(secret.length, 40))}
      </code>
      <div class="row">
        <button type="button" class="secondary" onClick={() => setVisible(!visible)}>
          {visible ? "Hide" : "Show"}
        </button>
        <button type="button" onClick={copy}>Copy</button>
        <span role="status" aria-live="polite">
          {copied === "copied"
            ? "Copied."
            : copied === "manual"
            ? "Select the text and copy it."
            : ""}
        </span>
      </div>
    </div>
  );
}
