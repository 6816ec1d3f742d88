/** The short screens: loading, uploads, confirm, result and errors. */
import { ActivityIndicator } from "react-native";
import * as Linking from "expo-linking";
import type { FlowState, VerificationFlow } from "../logic/flow.ts";
import { Body, Button, Progress, Screen } from "./ui.tsx";

export function Waiting(props: { title: string }) {
  return (
    <Screen title={props.title}>
      <ActivityIndicator size="large" />
    </Screen>
  );
}

export function UploadingScreen(
  props: { state: Extract<FlowState, { step: "uploading" }> },
) {
  const { done, total } = props.state;
  return (
    <Screen title="Sending the document data">
      <Progress
        fraction={total ? done / total : 1}
        label={`${done} of ${total}`}
      />
      <Body>You can remove the passport from the phone.</Body>
    </Screen>
  );
}

export function ConfirmScreen(
  props: {
    flow: VerificationFlow;
    state: Extract<FlowState, { step: "confirm" }>;
  },
) {
  return (
    <Screen title={`Share with ${props.state.organizationName}?`}>
      {props.state.shareFields.map((f) => <Body key={f.key}>• {f.label}</Body>)}
      <Button
        label="Share and finish"
        onPress={() => void props.flow.confirm(true)}
      />
      <Button
        label="Do not share"
        secondary
        onPress={() => void props.flow.confirm(false)}
      />
    </Screen>
  );
}

export function ResultScreen(
  props: {
    flow: VerificationFlow;
    state: Extract<FlowState, { step: "result" }>;
  },
) {
  const { state } = props;
  const ok = state.status === "succeeded";
  return (
    <Screen title={ok ? "Verified" : "Not verified"}>
      <Body tone={ok ? undefined : "error"}>{state.message}</Body>
      {!ok && state.attemptsRemaining > 0
        ? (
          <Body>
            You can try again from the verification page ({state
              .attemptsRemaining} left).
          </Body>
        )
        : null}
      {state.returnUrl
        ? (
          <Button
            label="Back to the website"
            onPress={() => {
              void Linking.openURL(state.returnUrl!);
              props.flow.cancel();
            }}
          />
        )
        : null}
      <Button label="Done" secondary onPress={() => props.flow.cancel()} />
    </Screen>
  );
}

export function ErrorScreen(
  props: {
    flow: VerificationFlow;
    state: Extract<FlowState, { step: "error" }>;
  },
) {
  const { state } = props;
  return (
    <Screen title="Something stopped the verification">
      <Body tone="error">{state.message}</Body>
      {state.retry ? <Button label="Try again" onPress={() => void props.flow.retry()} /> : null}
      <Button
        label="Start over"
        secondary
        onPress={() => props.flow.cancel()}
      />
    </Screen>
  );
}
