/** The first screen: scan the verify page's QR code (or arrive through a tapped link). */
import { useState } from "react";
import { CameraView, useCameraPermissions } from "expo-camera";
import type { VerificationFlow } from "../logic/flow.ts";
import { Body, Button, Screen, styles } from "./ui.tsx";

export function StartScreen(
  props: { flow: VerificationFlow; appName: string },
) {
  const [permission, requestPermission] = useCameraPermissions();
  const [scanning, setScanning] = useState(false);
  if (!scanning) {
    return (
      <Screen title={props.appName}>
        <Body>
          On the verification page, choose to continue on your phone and scan the QR code it shows.
        </Body>
        <Button
          label="Scan the QR code"
          onPress={async () => {
            const granted = permission?.granted ||
              (await requestPermission()).granted;
            if (granted) setScanning(true);
          }}
        />
        {permission && !permission.granted && !permission.canAskAgain
          ? (
            <Body tone="error">
              Allow camera access in the phone's settings to scan the code.
            </Body>
          )
          : null}
      </Screen>
    );
  }
  return (
    <Screen title="Scan the QR code">
      <CameraView
        style={styles.camera}
        facing="back"
        barcodeScannerSettings={{ barcodeTypes: ["qr"] }}
        onBarcodeScanned={({ data }) => {
          setScanning(false);
          void props.flow.openLink(data);
        }}
      />
      <Button label="Cancel" secondary onPress={() => setScanning(false)} />
    </Screen>
  );
}
