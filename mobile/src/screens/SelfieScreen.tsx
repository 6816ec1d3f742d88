/** The selfie and the pose challenge: one photo per pose, sent at once and not kept. */
import { useRef, useState } from "react";
import { CameraView, useCameraPermissions } from "expo-camera";
import type { FlowState, VerificationFlow } from "../logic/flow.ts";
import { takeFrame } from "../native/camera.ts";
import { Body, Button, Screen, styles } from "./ui.tsx";

export function SelfieScreen(
  props: {
    flow: VerificationFlow;
    state: Extract<FlowState, { step: "selfie" }>;
  },
) {
  const camera = useRef<CameraView>(null);
  const [permission, requestPermission] = useCameraPermissions();
  const [busy, setBusy] = useState(false);
  const { state } = props;
  if (!permission?.granted) {
    return (
      <Screen title="A selfie">
        <Body>
          The camera takes {state.poses.length}{" "}
          photos of your face to compare with the passport photo.
        </Body>
        <Button
          label="Allow the camera"
          onPress={() => void requestPermission()}
        />
      </Screen>
    );
  }
  return (
    <Screen title={`Photo ${state.index + 1} of ${state.poses.length}`}>
      <CameraView ref={camera} style={styles.camera} facing="front" mirror />
      <Body>{state.instruction}</Body>
      <Button
        label={busy ? "Sending…" : "Take the photo"}
        disabled={busy}
        onPress={async () => {
          if (!camera.current) return;
          setBusy(true);
          try {
            await props.flow.addSelfieFrame(await takeFrame(camera.current));
          } finally {
            setBusy(false);
          }
        }}
      />
    </Screen>
  );
}
