/** Shared building blocks of the screens: layout, text, buttons, the flow-state hook. */
import { useSyncExternalStore } from "react";
import type { ReactNode } from "react";
import { Pressable, ScrollView, StyleSheet, Text, View } from "react-native";
import type { FlowState, VerificationFlow } from "../logic/flow.ts";

/** The flow's current state, re-rendered on every change. */
export function useFlowState(flow: VerificationFlow): FlowState {
  return useSyncExternalStore((cb) => flow.subscribe(cb), () => flow.state);
}

export function Screen(props: { title: string; children?: ReactNode }) {
  return (
    <ScrollView contentContainerStyle={styles.screen}>
      <Text accessibilityRole="header" style={styles.title}>{props.title}</Text>
      {props.children}
    </ScrollView>
  );
}

export function Body(props: { children: ReactNode; tone?: "muted" | "error" }) {
  const tone = props.tone === "error" ? styles.error : props.tone === "muted" ? styles.muted : null;
  return <Text style={[styles.body, tone]}>{props.children}</Text>;
}

export function Button(
  props: {
    label: string;
    onPress: () => void;
    disabled?: boolean;
    secondary?: boolean;
  },
) {
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityState={{ disabled: !!props.disabled }}
      disabled={props.disabled}
      onPress={props.onPress}
      style={[
        styles.button,
        props.secondary && styles.secondary,
        props.disabled && styles.off,
      ]}
    >
      <Text
        style={[styles.buttonText, props.secondary && styles.secondaryText]}
      >
        {props.label}
      </Text>
    </Pressable>
  );
}

export function Progress(props: { fraction: number; label: string }) {
  const pct = Math.round(Math.max(0, Math.min(1, props.fraction)) * 100);
  return (
    <View
      accessibilityRole="progressbar"
      accessibilityValue={{ min: 0, max: 100, now: pct }}
    >
      <View style={styles.track}>
        <View style={[styles.fill, { width: `${pct}%` }]} />
      </View>
      <Text style={styles.muted}>{props.label}</Text>
    </View>
  );
}

export const styles = StyleSheet.create({
  screen: { padding: 24, gap: 16, flexGrow: 1, backgroundColor: "#fff" },
  title: { fontSize: 24, fontWeight: "600", color: "#111" },
  body: { fontSize: 16, lineHeight: 22, color: "#222" },
  muted: { color: "#555" },
  error: { color: "#a11" },
  button: {
    backgroundColor: "#1f4fd1",
    padding: 14,
    borderRadius: 8,
    alignItems: "center",
  },
  secondary: {
    backgroundColor: "#fff",
    borderWidth: 1,
    borderColor: "#1f4fd1",
  },
  off: { opacity: 0.4 },
  buttonText: { color: "#fff", fontSize: 16, fontWeight: "600" },
  secondaryText: { color: "#1f4fd1" },
  track: {
    height: 8,
    backgroundColor: "#e3e6ee",
    borderRadius: 4,
    overflow: "hidden",
  },
  fill: { height: 8, backgroundColor: "#1f4fd1" },
  input: {
    borderWidth: 1,
    borderColor: "#999",
    borderRadius: 6,
    padding: 10,
    fontSize: 18,
  },
  invalid: { borderColor: "#a11" },
  camera: { height: 420, borderRadius: 12, overflow: "hidden" },
});
