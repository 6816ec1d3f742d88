/**
 * Server side of Chip Authentication (ICAO 9303 p11 §6.2, BSI TR-03110; docs/document-checks.md).
 *
 * The server picks the terminal's ephemeral key on the chip's curve (or DH group) and keeps the
 * private half in memory only. The phone runs MSE:Set AT + General Authenticate with that public
 * key, then relays the first secure-messaging exchange. Only a chip holding the private key that
 * matches DG14's public key derives the same session keys, so a correct response MAC proves the
 * chip is genuine (DG14 itself is covered by passive authentication).
 */
import {
  type ChipAuthenticationInfo,
  type ChipAuthenticationPublicKeyInfo,
  type Dg14,
  parseDg14,
  type SmCipher,
} from "./dg14.ts";
import { DerError } from "./der.ts";
import { agreeWithChip, type RandomSource, systemRandom } from "./key_agreement.ts";
import {
  buildProtectedCommand,
  parseProtectedCommand,
  parseProtectedResponse,
  type PlainCommand,
} from "./protected_apdu.ts";
import { deriveSessionKeys, secureMessagingMac, type SessionKeys } from "./secure_messaging.ts";
import { equalBytes } from "../active/iso9796_2.ts";
import type { DhPublicKey, EcPublicKey } from "./public_key.ts";

/** Distinct internal reasons Chip Authentication fails (→ `document_chip_authentication_failed`). */
export type ChipAuthFailure =
  | "dg14_malformed"
  | "ca_not_offered"
  | "ca_key_not_found"
  | "relay_malformed"
  | "session_already_used"
  | "command_not_protected"
  | "response_not_protected"
  | "command_mac_invalid"
  | "response_mac_invalid";

/** A typed failure. */
export interface ChipAuthError {
  ok: false;
  reason: ChipAuthFailure;
  detail: string;
}

const CA_3DES_ECDH = "0.4.0.127.0.7.2.2.3.2.1";
const CA_3DES_DH = "0.4.0.127.0.7.2.2.3.1.1";

/**
 * Opaque server-side state of one CA run. The ephemeral private key is used once, at creation, to
 * derive the session keys and then dropped; only the derived keys stay, in memory. Never
 * serialise a session.
 */
export class ChipAuthenticationSession {
  #keys: SessionKeys | undefined;
  readonly #command: Promise<Uint8Array>;

  /** Internal: use {@link startChipAuthentication}. */
  constructor(keys: SessionKeys) {
    this.#keys = keys;
    this.#command = buildProtectedCommand(keys, 1, FIRST_COMMAND);
  }

  /**
   * The protected command the phone must send, byte for byte, right after General Authenticate.
   * The phone cannot build it: only the server knows the ephemeral private key, hence the keys.
   */
  protectedCommand(): Promise<Uint8Array> {
    return this.#command;
  }

  /** Hands the session keys out once; a session verifies at most one relay. */
  consumeKeys(): SessionKeys | undefined {
    const keys = this.#keys;
    this.#keys = undefined;
    return keys;
  }

  /** Don't leak key material through logging or JSON. */
  toJSON(): string {
    return "[ChipAuthenticationSession]";
  }
}

/**
 * The first command under the CA session keys: READ BINARY of 4 bytes of DG14 by short file
 * identifier (DG14 exists whenever CA is offered). It carries no data, so it is deterministic.
 */
export const FIRST_COMMAND: PlainCommand = {
  cla: 0x00,
  ins: 0xb0,
  p1: 0x80 | 0x0e,
  p2: 0x00,
  le: 4,
};

/** What the server sends the phone to start CA. */
export interface ChipAuthenticationStart {
  session: ChipAuthenticationSession;
  /** Ephemeral public key: uncompressed EC point, or the DH value padded to |p|. */
  terminalPublicKey: Uint8Array;
  /** The CA protocol OID the phone must use in MSE:Set AT. */
  protocolOid: string;
  /** The key reference for MSE:Set AT, when DG14 gives one. */
  keyId?: number;
  cipher: SmCipher;
}

/** Input of {@link startChipAuthentication}. */
export interface StartChipAuthenticationInput {
  dg14: Uint8Array;
  /** Prefer this CA key (DG14 may hold several). */
  keyId?: number;
  /** Random source for the ephemeral key; defaults to the system CSPRNG. */
  random?: RandomSource;
}

/** Picks the CA key and protocol from DG14 and generates the terminal's ephemeral key pair. */
export async function startChipAuthentication(
  input: StartChipAuthenticationInput,
): Promise<ChipAuthenticationStart | ChipAuthError> {
  const parsed = parseDg14(input.dg14);
  if (!parsed.ok) return { ok: false, reason: "dg14_malformed", detail: parsed.detail };
  const choice = chooseKey(parsed.dg14, input.keyId);
  if ("ok" in choice) return choice;
  const { key, info } = choice;
  const domainKey = key.publicKey as EcPublicKey | DhPublicKey;
  let agreement;
  try {
    agreement = await agreeWithChip(domainKey, input.random ?? systemRandom);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
    return { ok: false, reason: "dg14_malformed", detail: "the CA public key is not valid" };
  }
  return {
    session: new ChipAuthenticationSession(
      deriveSessionKeys(agreement.sharedSecret, info.cipher),
    ),
    terminalPublicKey: agreement.publicKey,
    protocolOid: info.protocol,
    keyId: key.keyId ?? info.keyId,
    cipher: info.cipher,
  };
}

/**
 * Chooses a (key, protocol) pair. Without a ChipAuthenticationInfo (e.g. French passports) the
 * protocol is the ICAO default for the key type: CA with 3DES secure messaging.
 */
function chooseKey(
  dg14: Dg14,
  keyId: number | undefined,
): { key: ChipAuthenticationPublicKeyInfo; info: ChipAuthenticationInfo } | ChipAuthError {
  const keys = dg14.chipAuthenticationPublicKeys.filter((k) =>
    keyId === undefined || k.keyId === keyId
  );
  if (dg14.chipAuthenticationPublicKeys.length === 0) {
    return { ok: false, reason: "ca_not_offered", detail: "DG14 holds no Chip Authentication key" };
  }
  for (const key of keys) {
    const info = dg14.chipAuthentication.find((i) =>
      i.keyAgreement === key.keyAgreement &&
      (i.keyId === undefined || key.keyId === undefined || i.keyId === key.keyId)
    );
    if (info) return { key, info };
    if (dg14.chipAuthentication.length === 0) {
      const protocol = key.keyAgreement === "ECDH" ? CA_3DES_ECDH : CA_3DES_DH;
      return {
        key,
        info: { protocol, keyAgreement: key.keyAgreement, cipher: "3DES", version: 1 },
      };
    }
  }
  return {
    ok: false,
    reason: "ca_key_not_found",
    detail: "no CA key matches a CA protocol (or keyId)",
  };
}

/** The first protected exchange after CA, exactly as sent to and received from the chip. */
export interface ChipAuthenticationRelay {
  command: Uint8Array;
  response: Uint8Array;
}

/** Verifies the relayed exchange: command MAC with SSC 1, response MAC with SSC 2. */
export async function verifyChipAuthenticationRelay(
  session: ChipAuthenticationSession,
  relay: ChipAuthenticationRelay,
): Promise<{ ok: true } | ChipAuthError> {
  if (!(relay?.command instanceof Uint8Array) || !(relay?.response instanceof Uint8Array)) {
    return { ok: false, reason: "relay_malformed", detail: "command and response must be bytes" };
  }
  const keys = session.consumeKeys();
  if (!keys) {
    return { ok: false, reason: "session_already_used", detail: "a CA session verifies one relay" };
  }
  let command, response;
  try {
    command = parseProtectedCommand(relay.command, keys.cipher);
  } catch (error) {
    return notProtected("command_not_protected", error);
  }
  // The command MAC first: a command from another session explains any response that follows.
  if (!equalBytes(await secureMessagingMac(keys, 1, command.macInput), command.mac)) {
    return {
      ok: false,
      reason: "command_mac_invalid",
      detail: "the command was not the one issued for this session",
    };
  }
  try {
    response = parseProtectedResponse(relay.response);
  } catch (error) {
    return notProtected("response_not_protected", error);
  }
  if (!equalBytes(await secureMessagingMac(keys, 2, response.macInput), response.mac)) {
    return {
      ok: false,
      reason: "response_mac_invalid",
      detail: "the chip's response MAC does not verify",
    };
  }
  return { ok: true };
}

function notProtected(reason: ChipAuthFailure, error: unknown): ChipAuthError {
  if (!(error instanceof DerError)) throw error;
  return { ok: false, reason, detail: error.code };
}
