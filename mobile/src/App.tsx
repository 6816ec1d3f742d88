/**
 * The app: one {@link VerificationFlow} (src/logic) and a screen per state. Incoming links
 * (`kayleid://verify?…` or the https app link) start the flow; so does a scanned QR code.
 */
import { useEffect, useMemo } from "react";
import { SafeAreaView } from "react-native";
import { StatusBar } from "expo-status-bar";
import * as Linking from "expo-linking";
import { VerificationFlow } from "./logic/flow.ts";
import { appConfig } from "./native/config.ts";
import { deviceId } from "./native/device.ts";
import { deviceNfc } from "./native/nfc.ts";
import { useFlowState } from "./screens/ui.tsx";
import { StartScreen } from "./screens/StartScreen.tsx";
import { DetailsScreen } from "./screens/DetailsScreen.tsx";
import { MrzScreen } from "./screens/MrzScreen.tsx";
import { NfcScreen } from "./screens/NfcScreen.tsx";
import { SelfieScreen } from "./screens/SelfieScreen.tsx";
import {
  ConfirmScreen,
  ErrorScreen,
  ResultScreen,
  UploadingScreen,
  Waiting,
} from "./screens/EndScreens.tsx";

export default function App() {
  const flow = useMemo(
    () => new VerificationFlow({ config: appConfig, deviceId, nfc: deviceNfc }),
    [],
  );
  const state = useFlowState(flow);
  const url = Linking.useLinkingURL();
  useEffect(() => {
    if (url && (flow.state.step === "start" || flow.state.step === "result")) {
      void flow.openLink(url);
    }
  }, [url, flow]);
  return (
    <SafeAreaView style={{ flex: 1, backgroundColor: "#fff" }}>
      <StatusBar style="dark" />
      {render()}
    </SafeAreaView>
  );

  function render() {
    switch (state.step) {
      case "start":
        return <StartScreen flow={flow} appName={appConfig.appName} />;
      case "loading":
        return <Waiting title="Opening the verification…" />;
      case "details":
        return <DetailsScreen flow={flow} state={state} />;
      case "mrz":
        return <MrzScreen flow={flow} state={state} />;
      case "connecting":
        return <Waiting title="Connecting…" />;
      case "nfc":
        return <NfcScreen flow={flow} state={state} />;
      case "uploading":
        return <UploadingScreen state={state} />;
      case "selfie":
        return <SelfieScreen flow={flow} state={state} />;
      case "confirm":
        return <ConfirmScreen flow={flow} state={state} />;
      case "submitting":
        return <Waiting title="Checking…" />;
      case "result":
        return <ResultScreen flow={flow} state={state} />;
      case "error":
        return <ErrorScreen flow={flow} state={state} />;
    }
  }
}
