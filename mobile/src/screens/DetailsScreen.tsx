/** Who asks and what will be shared (the public details endpoint). */
import type { FlowState, VerificationFlow } from "../logic/flow.ts";
import { Body, Button, Screen } from "./ui.tsx";

export function DetailsScreen(
  props: {
    flow: VerificationFlow;
    state: Extract<FlowState, { step: "details" }>;
  },
) {
  const { state } = props;
  return (
    <Screen title={`${state.organizationName} asks to verify your identity`}>
      {state.mode === "test"
        ? <Body tone="muted">Test mode: no real verification takes place.</Body>
        : null}
      <Body>They will receive:</Body>
      {state.shareFields.map((f) => (
        <Body key={f.key}>
          • {f.label}
          {f.reason ? ` — ${f.reason}` : ""}
          {f.required ? "" : " (optional)"}
        </Body>
      ))}
      <Body tone="muted">
        You will need your passport. Its chip is read by this phone; nothing is kept on the phone
        afterwards.
      </Body>
      <Button
        label="Continue"
        onPress={() => void props.flow.continueToMrz()}
      />
      <Button label="Cancel" secondary onPress={() => props.flow.cancel()} />
    </Screen>
  );
}
