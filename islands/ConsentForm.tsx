/**
 * The consent form (docs/verify-pages.md): every requested claim with its label and the relying party's
 * reason; required claims checked and locked, optional ones a choice. Server-rendered as a
 * plain POST form that works without JavaScript; hydrated, it records the choice through
 * `POST /v1/verify/session/:id/consent` and reloads the page to the handoff step.
 */
import { useState } from "preact/hooks";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";
import { useLiveStatus } from "../components/verify/status_store.ts";
import type { PublicStatus } from "../components/verify/verify_status.ts";

/** One share field as the consent screen shows it. */
export interface ConsentField {
  key: string;
  label: string;
  description: string;
  reason: string;
  required: boolean;
}

/** Props: the session, its fields and the keys selected so far. */
export interface ConsentFormProps {
  sessionId: string;
  fields: ConsentField[];
  /** Keys checked at first paint (a previous consent, else every field). */
  selectedKeys: string[];
  /** Where to go once consent is recorded (the page without `?change`). */
  continueUrl: string;
  /** The server-rendered status: the form goes away if the session ends meanwhile. */
  initialStatus: PublicStatus;
}

export default function ConsentForm(props: ConsentFormProps) {
  const copy = verifyCopyFor();
  const [selected, setSelected] = useState(new Set(props.selectedKeys));
  const [state, setState] = useState<"idle" | "saving" | "error">("idle");
  const ended = useLiveStatus(props.initialStatus).is_terminal;
  const toggle = (key: string, checked: boolean) => {
    const next = new Set(selected);
    if (checked) next.add(key);
    else next.delete(key);
    setSelected(next);
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setState("saving");
    const keys = props.fields.filter((f) => f.required || selected.has(f.key)).map((f) => f.key);
    try {
      const response = await fetch(`/v1/verify/session/${props.sessionId}/consent`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ selected_field_keys: keys }),
      });
      if (!response.ok) throw new Error(`consent ${response.status}`);
      location.replace(props.continueUrl);
    } catch {
      setState("error");
    }
  };
  if (ended) return <div class="consent-gone" hidden />;
  return (
    <section class="card consent" aria-labelledby="consent-heading">
      <h2 id="consent-heading" class="sr-only">{copy.consent.legend}</h2>
      <form method="post" class="consent-form" onSubmit={submit} data-testid="consent-form">
        <input type="hidden" name="intent" value="consent" />
        <fieldset class="claims">
          <legend>{copy.consent.legend}</legend>
          <ul class="claim-list">
            {props.fields.map((field) => (
              <ClaimRow
                key={field.key}
                field={field}
                checked={field.required || selected.has(field.key)}
                onToggle={toggle}
              />
            ))}
          </ul>
        </fieldset>
        <button type="submit" class="primary" disabled={state === "saving"}>
          {state === "saving" ? copy.consent.submitting : copy.consent.submit}
        </button>
        <p class="form-message" role="alert">{state === "error" ? copy.consent.failed : ""}</p>
      </form>
    </section>
  );
}

function ClaimRow(
  { field, checked, onToggle }: {
    field: ConsentField;
    checked: boolean;
    onToggle: (key: string, checked: boolean) => void;
  },
) {
  const copy = verifyCopyFor();
  const id = `claim-${field.key}`;
  const reasonId = `${id}-reason`;
  return (
    <li class={field.required ? "claim required" : "claim"} data-claim={field.key}>
      <div class="claim-choice">
        {/* A disabled box is not submitted: the hidden field carries a required key. */}
        {field.required ? <input type="hidden" name="selected" value={field.key} /> : null}
        <input
          type="checkbox"
          id={id}
          name={field.required ? undefined : "selected"}
          value={field.key}
          checked={checked}
          disabled={field.required}
          aria-describedby={reasonId}
          onChange={(e) => onToggle(field.key, (e.currentTarget as HTMLInputElement).checked)}
        />
        <label for={id}>
          {field.label}{" "}
          <span class={field.required ? "tag tag-required" : "tag tag-optional"}>
            {field.required ? copy.consent.required : copy.consent.optional}
          </span>
        </label>
      </div>
      <p class="claim-reason" id={reasonId}>
        <span class="reason-label">{copy.consent.reasonLabel}</span> {field.reason}
        {field.description ? <span class="claim-description">{field.description}</span> : null}
      </p>
    </li>
  );
}
