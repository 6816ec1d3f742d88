/** Small server-rendered form pieces shared by dashboard pages. */
import type { ComponentChildren } from "preact";
import type { AppVariables } from "../lib/framework/define.ts";

/** The hidden CSRF field every signed-in dashboard form carries. */
export function CsrfField({ state }: { state: AppVariables }) {
  return <input type="hidden" name="_csrf" value={state.auth?.csrfToken ?? ""} />;
}

/** A one-button POST form (disable, enable, delete…). */
export function ActionButton(
  props: {
    state: AppVariables;
    action: string;
    label: string;
    fields?: Record<string, string>;
    danger?: boolean;
    confirm?: string;
  },
) {
  return (
    <form method="post" class="inline">
      <CsrfField state={props.state} />
      <input type="hidden" name="action" value={props.action} />
      {Object.entries(props.fields ?? {}).map(([k, v]) => (
        <input
          type="hidden"
          name={k}
          value={v}
        />
      ))}
      <button type="submit" class={props.danger ? "danger" : "secondary"}>{props.label}</button>
    </form>
  );
}

/** A notice box. */
export function Notice(props: { kind: "error" | "info" | "success"; children: ComponentChildren }) {
  return (
    <p class={`notice ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}

/** A labelled text input. */
export function Field(
  props: {
    label: string;
    name: string;
    type?: "text" | "email" | "password" | "url";
    value?: string;
    required?: boolean;
    autocomplete?: string;
    pattern?: string;
    hint?: string;
  },
) {
  const id = `field-${props.name}`;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        {
          // deno-lint-ignore no-explicit-any
          ...({ type: props.type ?? "text" } as any)
        }
        id={id}
        name={props.name}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        pattern={props.pattern}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      {props.hint && <small id={`${id}-hint`}>{props.hint}</small>}
    </div>
  );
}
