/** Where to hold the passport, the read's progress and "hold still". */
import type { FlowState, VerificationFlow } from "../logic/flow.ts";
import { Body, Button, Progress, Screen } from "./ui.tsx";

const FILE_LABELS: Record<string, string> = {
  com: "Opening the chip",
  cardAccess: "Opening the chip",
  sod: "Reading the document's signature",
  dg1: "Reading the document data",
  dg2: "Reading the photo",
  dg11: "Reading additional data",
  dg12: "Reading additional data",
  dg14: "Reading the chip's keys",
  dg15: "Reading the chip's keys",
};

export function NfcScreen(
  props: { flow: VerificationFlow; state: Extract<FlowState, { step: "nfc" }> },
) {
  const { state } = props;
  if (state.phase === "waiting") {
    return (
      <Screen title="Hold your phone on the passport">
        <Body>
          Open the passport at the photo page, lay it flat, and place the top of the phone on it.
          Keep both still until the reading is complete (about 10–20 seconds).
        </Body>
        <Button
          label="Start reading"
          onPress={() => void props.flow.readChip()}
        />
        <Button label="Cancel" secondary onPress={() => props.flow.cancel()} />
      </Screen>
    );
  }
  const label = state.phase === "authenticating"
    ? "Checking the chip is genuine"
    : FILE_LABELS[state.file ?? "com"] ?? "Reading";
  return (
    <Screen title="Reading the chip…">
      <Progress fraction={state.fraction} label={label} />
      {state.hint ? <Body tone="error">{state.hint}</Body> : <Body>Hold still.</Body>}
    </Screen>
  );
}
