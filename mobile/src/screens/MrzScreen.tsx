/**
 * Document number, date of birth and date of expiry, validated on every keystroke (check digits
 * optional). Held in this component's state only. Reading the MRZ with the camera is a later step.
 */
import { useMemo, useState } from "react";
import { Text, TextInput, View } from "react-native";
import type { FlowState, VerificationFlow } from "../logic/flow.ts";
import { type FieldState, type MrzEntry, validateMrzEntry } from "../logic/mrz.ts";
import { Body, Button, Screen, styles } from "./ui.tsx";

function Field(
  props: {
    label: string;
    hint: string;
    value: string;
    onChange: (v: string) => void;
    state: FieldState;
    digit: string;
    onDigit: (v: string) => void;
    numeric?: boolean;
  },
) {
  const invalid = props.state.state === "invalid";
  return (
    <View style={{ gap: 6 }}>
      <Text style={styles.body}>{props.label}</Text>
      <View style={{ flexDirection: "row", gap: 8 }}>
        <TextInput
          style={[styles.input, { flex: 1 }, invalid && styles.invalid]}
          value={props.value}
          onChangeText={props.onChange}
          autoCapitalize="characters"
          autoCorrect={false}
          autoComplete="off"
          importantForAutofill="no"
          keyboardType={props.numeric ? "numbers-and-punctuation" : "default"}
          accessibilityLabel={props.label}
          placeholder={props.hint}
        />
        <TextInput
          style={[styles.input, { width: 64 }, invalid && styles.invalid]}
          value={props.digit}
          onChangeText={props.onDigit}
          maxLength={1}
          keyboardType="number-pad"
          accessibilityLabel={`${props.label}, check digit (optional)`}
          placeholder="CD"
        />
      </View>
      {props.state.state === "invalid"
        ? <Text style={styles.error}>{props.state.message}</Text>
        : props.state.state === "valid"
        ? (
          <Text style={styles.muted}>
            Check digit {props.state.checkDigit} ✓
          </Text>
        )
        : null}
    </View>
  );
}

export function MrzScreen(
  props: { flow: VerificationFlow; state: Extract<FlowState, { step: "mrz" }> },
) {
  const [entry, setEntry] = useState<MrzEntry>({
    documentNumber: "",
    dateOfBirth: "",
    dateOfExpiry: "",
    documentNumberCheckDigit: "",
    dateOfBirthCheckDigit: "",
    dateOfExpiryCheckDigit: "",
  });
  const v = useMemo(() => validateMrzEntry(entry), [entry]);
  const set = (patch: Partial<MrzEntry>) => setEntry((e) => ({ ...e, ...patch }));
  return (
    <Screen title="Your passport's details">
      <Body>
        Type them as printed on the photo page. The chip only opens with the right ones. The check
        digits are the single digits after each in the bottom lines; they are optional.
      </Body>
      <Field
        label="Document number"
        hint="e.g. L898902C3"
        value={entry.documentNumber}
        onChange={(documentNumber) => set({ documentNumber })}
        state={v.documentNumber}
        digit={entry.documentNumberCheckDigit ?? ""}
        onDigit={(documentNumberCheckDigit) => set({ documentNumberCheckDigit })}
      />
      <Field
        label="Date of birth"
        hint="DD.MM.YYYY"
        numeric
        value={entry.dateOfBirth}
        onChange={(dateOfBirth) => set({ dateOfBirth })}
        state={v.dateOfBirth}
        digit={entry.dateOfBirthCheckDigit ?? ""}
        onDigit={(dateOfBirthCheckDigit) => set({ dateOfBirthCheckDigit })}
      />
      <Field
        label="Date of expiry"
        hint="DD.MM.YYYY"
        numeric
        value={entry.dateOfExpiry}
        onChange={(dateOfExpiry) => set({ dateOfExpiry })}
        state={v.dateOfExpiry}
        digit={entry.dateOfExpiryCheckDigit ?? ""}
        onDigit={(dateOfExpiryCheckDigit) => set({ dateOfExpiryCheckDigit })}
      />
      {props.state.error ? <Body tone="error">{props.state.error}</Body> : null}
      <Button
        label="Read my passport"
        disabled={!v.key}
        onPress={async () => {
          if (await props.flow.submitMrz(entry)) await props.flow.readChip();
        }}
      />
      <Button label="Cancel" secondary onPress={() => props.flow.cancel()} />
    </Screen>
  );
}
