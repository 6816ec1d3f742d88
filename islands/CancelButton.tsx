/**
 * The user's cancel (docs/verify-pages.md, seed 001): asks for confirmation, then spends the one-shot
 * `cancel_token` of the verification URL on `POST /v1/verify/session/:id/cancel`. Server-rendered
 * as a POST form (the page asks for the confirmation itself without JavaScript); hydrated, the
 * confirmation happens in place and the live status updates at once.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";
import { refreshNow, useLiveStatus } from "../components/verify/status_store.ts";
import type { PublicStatus } from "../components/verify/verify_status.ts";

/** Props: the session, its cancel token and whether to open on the confirmation. */
export interface CancelButtonProps {
  sessionId: string;
  cancelToken: string;
  initialStatus: PublicStatus;
  /** The no-JS flow asked for confirmation: render the question first. */
  confirming: boolean;
  /** The page's own address (with its cancel token): "No" goes back to it without JavaScript. */
  pageUrl: string;
}

type CancelState = "idle" | "confirm" | "cancelling" | "error" | "used";

export default function CancelButton(props: CancelButtonProps) {
  const copy = verifyCopyFor();
  const terminal = useLiveStatus(props.initialStatus).is_terminal;
  const [state, setState] = useState<CancelState>(props.confirming ? "confirm" : "idle");
  const yesRef = useRef<HTMLButtonElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    // Keep the keyboard where the user is: on the question when it opens, back on the button.
    if (state === "confirm") yesRef.current?.focus();
  }, [state]);
  if (terminal) return <div class="cancel-gone" hidden />;
  const cancel = async (event: Event) => {
    event.preventDefault();
    if (state !== "confirm") return setState("confirm");
    setState("cancelling");
    setState(await postCancel(props.sessionId, props.cancelToken));
    await refreshNow();
  };
  const dismiss = () => {
    setState("idle");
    setTimeout(() => openerRef.current?.focus(), 0);
  };
  return (
    <form method="post" class="cancel" onSubmit={cancel} data-testid="cancel">
      <input
        type="hidden"
        name="intent"
        value={state === "confirm" ? "cancel" : "cancel_request"}
      />
      {state === "confirm" || state === "cancelling"
        ? (
          <div class="confirm" role="group" aria-labelledby="cancel-question">
            <p id="cancel-question">{copy.cancel.confirmQuestion}</p>
            <div class="row">
              <button type="submit" class="danger" ref={yesRef} disabled={state === "cancelling"}>
                {state === "cancelling" ? copy.cancel.cancelling : copy.cancel.confirmYes}
              </button>
              <a
                class="button secondary"
                href={props.pageUrl}
                onClick={(e) => (e.preventDefault(), dismiss())}
              >
                {copy.cancel.confirmNo}
              </a>
            </div>
          </div>
        )
        : (
          <button type="submit" class="danger" ref={openerRef}>
            {copy.cancel.button}
          </button>
        )}
      <p class="form-message" role="alert">
        {state === "error" ? copy.cancel.failed : state === "used" ? copy.cancel.used : ""}
      </p>
    </form>
  );
}

async function postCancel(sessionId: string, cancelToken: string): Promise<CancelState> {
  try {
    const response = await fetch(`/v1/verify/session/${encodeURIComponent(sessionId)}/cancel`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ cancel_token: cancelToken }),
    });
    if (response.status === 204) return "idle";
    const body = await response.json().catch(() => null) as { error?: { code?: string } } | null;
    return body?.error?.code === "CANCEL_TOKEN_USED" ? "used" : "error";
  } catch {
    return "error";
  }
}
