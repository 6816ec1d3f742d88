/**
 * DG14 (SecurityInfos, ICAO 9303 p10 §4.7.14 / BSI TR-03110): Chip Authentication infos and
 * keys, PACE, Terminal Authentication and Active Authentication infos. Unknown infos are kept.
 * Parsing never throws: every malformed input is a typed failure.
 */
import {
  decodeOid,
  decodeSmallInteger,
  DerError,
  expectTag,
  readChildren,
  readSingleTlv,
  type Tlv,
} from "./der.ts";
import { type ChipPublicKey, decodeSubjectPublicKeyInfo } from "./public_key.ts";
import { hashForSignatureOid, type HashName } from "./hashes.ts";

const CA_PREFIX = "0.4.0.127.0.7.2.2.3.";
const PK_DH = "0.4.0.127.0.7.2.2.1.1";
const PK_ECDH = "0.4.0.127.0.7.2.2.1.2";
const PACE_PREFIX = "0.4.0.127.0.7.2.2.4.";
const TA = "0.4.0.127.0.7.2.2.2";
const AA = "2.23.136.1.1.5";

/** Secure-messaging cipher a CA protocol OID selects. */
export type SmCipher = "3DES" | "AES-128" | "AES-192" | "AES-256";
/** Key agreement of a CA protocol or key. */
export type KeyAgreement = "DH" | "ECDH";

/** ChipAuthenticationInfo. */
export interface ChipAuthenticationInfo {
  protocol: string;
  keyAgreement: KeyAgreement;
  cipher: SmCipher;
  version: number;
  keyId?: number;
}

/** ChipAuthenticationPublicKeyInfo. */
export interface ChipAuthenticationPublicKeyInfo {
  protocol: string;
  keyAgreement: KeyAgreement;
  publicKey: ChipPublicKey;
  keyId?: number;
}

/** PACEInfo. */
export interface PaceInfo {
  protocol: string;
  version: number;
  parameterId?: number;
}

/** TerminalAuthenticationInfo. */
export interface TerminalAuthenticationInfo {
  version: number;
}

/** ActiveAuthenticationInfo: which signature (and so which hash) an ECDSA AA chip uses. */
export interface ActiveAuthenticationInfo {
  version: number;
  signatureAlgorithm: string;
  /** The digest the signature algorithm implies, when known. */
  hash?: HashName;
}

/** Any SecurityInfo this parser does not interpret (or whose key it cannot use). */
export interface UnknownSecurityInfo {
  protocol: string;
  raw: Uint8Array;
}

/** The parsed DG14. */
export interface Dg14 {
  chipAuthentication: ChipAuthenticationInfo[];
  chipAuthenticationPublicKeys: ChipAuthenticationPublicKeyInfo[];
  pace: PaceInfo[];
  terminalAuthentication: TerminalAuthenticationInfo[];
  activeAuthentication?: ActiveAuthenticationInfo;
  unknown: UnknownSecurityInfo[];
}

/** Why a DG14 could not be parsed. */
export type Dg14Failure = "dg14_wrong_tag" | "dg14_malformed";

/** Result of {@link parseDg14}. */
export type Dg14Result = { ok: true; dg14: Dg14 } | {
  ok: false;
  reason: Dg14Failure;
  detail: string;
};

const CIPHERS: Record<string, SmCipher> = {
  "1": "3DES",
  "2": "AES-128",
  "3": "AES-192",
  "4": "AES-256",
};

/** Parses the DG14 file (tag 0x6E). */
export function parseDg14(bytes: Uint8Array): Dg14Result {
  try {
    const file = readSingleTlv(bytes);
    if (file.tag !== 0x6e) {
      return { ok: false, reason: "dg14_wrong_tag", detail: "DG14 must start with tag 6E" };
    }
    const set = readSingleTlv(file.value);
    const dg14: Dg14 = {
      chipAuthentication: [],
      chipAuthenticationPublicKeys: [],
      pace: [],
      terminalAuthentication: [],
      unknown: [],
    };
    for (const info of readChildren(expectTag(set, 0x31, "SecurityInfos SET"))) {
      addSecurityInfo(dg14, info);
    }
    return { ok: true, dg14 };
  } catch (error) {
    if (error instanceof DerError) {
      return { ok: false, reason: "dg14_malformed", detail: error.code };
    }
    throw error;
  }
}

function addSecurityInfo(dg14: Dg14, info: Tlv): void {
  const [protocolTlv, required, optional] = readChildren(expectTag(info, 0x30, "SecurityInfo"));
  const protocol = decodeOid(expectTag(protocolTlv, 0x06, "protocol"));
  if (!required) throw new DerError("missing_field", "SecurityInfo without requiredData");
  const optionalInteger = () =>
    optional ? decodeSmallInteger(expectTag(optional, 0x02, "optional INTEGER")) : undefined;
  const caMatch = protocol.startsWith(CA_PREFIX) ? protocol.slice(CA_PREFIX.length).split(".") : [];
  if (caMatch.length === 2 && (caMatch[0] === "1" || caMatch[0] === "2") && CIPHERS[caMatch[1]]) {
    dg14.chipAuthentication.push({
      protocol,
      keyAgreement: caMatch[0] === "1" ? "DH" : "ECDH",
      cipher: CIPHERS[caMatch[1]],
      version: decodeSmallInteger(expectTag(required, 0x02, "version")),
      keyId: optionalInteger(),
    });
  } else if (protocol === PK_DH || protocol === PK_ECDH) {
    addPublicKey(dg14, info, protocol, required, optionalInteger());
  } else if (protocol.startsWith(PACE_PREFIX) && protocol.split(".").length === 11) {
    const version = decodeSmallInteger(expectTag(required, 0x02, "version"));
    dg14.pace.push({ protocol, version, parameterId: optionalInteger() });
  } else if (protocol === TA) {
    dg14.terminalAuthentication.push({
      version: decodeSmallInteger(expectTag(required, 0x02, "version")),
    });
  } else if (protocol === AA) {
    const algorithm = decodeOid(expectTag(optional, 0x06, "signatureAlgorithm"));
    dg14.activeAuthentication = {
      version: decodeSmallInteger(expectTag(required, 0x02, "version")),
      signatureAlgorithm: algorithm,
      hash: hashForSignatureOid(algorithm),
    };
  } else {
    dg14.unknown.push({ protocol, raw: info.raw });
  }
}

function addPublicKey(
  dg14: Dg14,
  info: Tlv,
  protocol: string,
  spki: Tlv,
  keyId: number | undefined,
): void {
  let publicKey: ChipPublicKey;
  try {
    publicKey = decodeSubjectPublicKeyInfo(spki);
  } catch (error) {
    // A key on a curve or group we cannot use is kept as unknown rather than failing the file.
    if (
      error instanceof DerError &&
      (error.code === "unknown_curve" || error.code === "unsupported_key")
    ) {
      dg14.unknown.push({ protocol, raw: info.raw });
      return;
    }
    throw error;
  }
  const keyAgreement: KeyAgreement = protocol === PK_DH ? "DH" : "ECDH";
  if ((keyAgreement === "DH") !== (publicKey.kind === "dh") || publicKey.kind === "rsa") {
    throw new DerError("bad_key", "CA key type does not match its protocol");
  }
  dg14.chipAuthenticationPublicKeys.push({ protocol, keyAgreement, publicKey, keyId });
}
