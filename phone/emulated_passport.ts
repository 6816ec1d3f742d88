/**
 * The document factory's synthetic passports as emulated chips (outside the portable reader
 * core): EF.COM, EF.SOD and the data groups as files, the MRZ as the access key, the chip's AA
 * and CA private keys, and the access protocols and faults a test or the reference phone asks for.
 */
import type { SyntheticPassport } from "../verify/mod.ts";
import type { AccessKey } from "./chip/mod.ts";
import { tlv } from "./chip/bytes.ts";
import { dhDomain, ecDomain } from "./chip/domain.ts";
import {
  type AaPrivateKey,
  type CaPrivateKey,
  EmulatedChip,
  type EmulatorConfig,
  EmulatorTransport,
  type PaceOffer,
  type TransportFaults,
} from "./chip/emulator/mod.ts";

/** How the emulated chip behaves. */
export interface EmulatedPassportOptions {
  /** PACE offers (default: PACE-GM ECDH P-256 AES-128); `[]` = a BAC-only chip. */
  pace?: PaceOffer[];
  /** Accept BAC (default true). */
  bac?: boolean;
  can?: string;
  extendedLength?: boolean;
  responseMacFault?: EmulatorConfig["responseMacFault"];
  refusePace?: number;
  applicationPreselected?: boolean;
  /** The chip holds another MRZ than the one printed (it refuses the reader's key). */
  refuseKey?: boolean;
  faults?: TransportFaults;
}

/** The default offer of the reference phone's chip. */
export const DEFAULT_PACE: PaceOffer[] = [{
  agreement: "ECDH",
  parameterId: 12,
  cipher: "AES-128",
}];

function yymmdd(isoDate: string): string {
  return isoDate.slice(2, 4) + isoDate.slice(5, 7) + isoDate.slice(8, 10);
}

/** The MRZ access key of a synthetic passport (what the user types or the camera reads). */
export function accessKeyFor(passport: SyntheticPassport): Extract<AccessKey, { kind: "mrz" }> {
  return {
    kind: "mrz",
    documentNumber: passport.mrzFields.documentNumber,
    dateOfBirth: yymmdd(passport.mrzFields.dateOfBirth),
    dateOfExpiry: yymmdd(passport.mrzFields.dateOfExpiry),
  };
}

const DG_TAGS: Record<number, number> = {
  1: 0x61,
  2: 0x75,
  11: 0x6b,
  12: 0x6c,
  14: 0x6e,
  15: 0x6f,
};

/** EF.COM (ICAO 9303-10 §4.6.1): LDS 1.7, Unicode 4.0.0, the data groups present. */
export function encodeCom(dataGroups: Iterable<number>): Uint8Array {
  const tags = [...dataGroups].map((n) => DG_TAGS[n]).filter((t) => t !== undefined);
  const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  return tlv(
    0x60,
    tlv(0x5f01, ascii("0107")),
    tlv(0x5f36, ascii("040000")),
    tlv(0x5c, Uint8Array.from(tags)),
  );
}

function aaKey(passport: SyntheticPassport): AaPrivateKey | undefined {
  const aa = passport.chipKeys.aa;
  if (!aa) return undefined;
  if (aa.pair.kind === "rsa") {
    return {
      kind: "rsa",
      modulus: aa.pair.publicKey.modulus,
      privateExponent: aa.pair.privateExponent,
      hash: aa.hash,
    };
  }
  return {
    kind: "ec",
    curve: aa.pair.publicKey.curve.name,
    privateKey: aa.pair.privateScalar,
    hash: aa.hash,
  };
}

function caKey(passport: SyntheticPassport): CaPrivateKey | undefined {
  const ca = passport.chipKeys.ca;
  if (!ca) return undefined;
  const key = ca.domainKey;
  const domain = key.kind === "ec"
    ? ecDomain(key.curve.name)
    : dhDomain(key.prime, key.generator, key.order ?? key.prime - 1n);
  if (!domain) throw new Error("emulated passport: unsupported CA curve");
  return { domain, privateKey: ca.privateScalar, cipher: ca.cipher };
}

/** The emulator configuration of a synthetic passport. */
export function emulatorConfigFor(
  passport: SyntheticPassport,
  options: EmulatedPassportOptions = {},
): EmulatorConfig {
  const groups = passport.files.dataGroups;
  const files: EmulatorConfig["files"] = { com: encodeCom(groups.keys()), sod: passport.files.sod };
  for (const [number, bytes] of groups) {
    const name = `dg${number}` as keyof EmulatorConfig["files"];
    if (["dg1", "dg2", "dg11", "dg12", "dg14", "dg15"].includes(name)) files[name] = bytes;
  }
  const mrz = accessKeyFor(passport);
  return {
    files,
    mrz: options.refuseKey
      ? { ...mrz, dateOfBirth: mrz.dateOfBirth === "010101" ? "020202" : "010101" }
      : mrz,
    can: options.can,
    pace: options.pace ?? DEFAULT_PACE,
    bac: options.bac,
    aa: aaKey(passport),
    ca: caKey(passport),
    extendedLength: options.extendedLength,
    responseMacFault: options.responseMacFault,
    refusePace: options.refusePace,
    applicationPreselected: options.applicationPreselected,
  };
}

/** An emulated chip of the passport behind a transport the reader core can use. */
export function emulatedTransportFor(
  passport: SyntheticPassport,
  options: EmulatedPassportOptions = {},
): EmulatorTransport {
  return new EmulatorTransport(
    new EmulatedChip(emulatorConfigFor(passport, options)),
    options.faults,
  );
}
