/**
 * The certificate extensions path validation needs (RFC 5280 §4.2), decoded with the
 * `@peculiar/asn1-x509` schemas: key usage, basic constraints, private-key usage period, and the
 * critical flag of every extension. The signed bytes themselves stay with the raw DER reader
 * (`x509.ts`); only extension values are handed to the schema parser.
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Extensions,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_privateKeyUsagePeriod,
  KeyUsage,
  KeyUsageFlags,
  PrivateKeyUsagePeriod,
} from "@peculiar/asn1-x509";
import { Asn1Error } from "./errors.ts";

/** Key usage bits (RFC 5280 §4.2.1.3) as flags: digitalSignature = 1, keyCertSign = 32, … */
export const KEY_USAGE = {
  digitalSignature: KeyUsageFlags.digitalSignature,
  nonRepudiation: KeyUsageFlags.nonRepudiation,
  keyEncipherment: KeyUsageFlags.keyEncipherment,
  keyCertSign: KeyUsageFlags.keyCertSign,
  cRLSign: KeyUsageFlags.cRLSign,
} as const;

/**
 * Extensions this verifier understands, so that a critical one does not reject the certificate:
 * the RFC 5280 extensions ICAO 9303-12 profiles (SKI, AKI, key usage, private-key usage period,
 * subject/issuer alternative names, basic constraints, CRL distribution points, certificate
 * policies, extended key usage) and the ICAO name-change and document-type-list extensions.
 * Name and policy constraints are not processed, so a critical one is rejected.
 */
export const UNDERSTOOD_EXTENSIONS: ReadonlySet<string> = new Set([
  "2.5.29.14",
  "2.5.29.35",
  "2.5.29.15",
  "2.5.29.16",
  "2.5.29.17",
  "2.5.29.18",
  "2.5.29.19",
  "2.5.29.31",
  "2.5.29.32",
  "2.5.29.37",
  "2.23.136.1.1.6.1",
  "2.23.136.1.1.6.2",
]);

/** What the extensions say, for path validation. */
export interface ExtensionProfile {
  /** Key usage flags (`KEY_USAGE`), undefined when the extension is absent. */
  keyUsage?: number;
  /** basicConstraints, undefined when absent. */
  basicConstraints?: { cA: boolean; pathLenConstraint?: number };
  /** privateKeyUsagePeriod bounds, when the extension is present. */
  privateKeyUsagePeriod?: { notBefore?: Date; notAfter?: Date };
  /** OIDs of the extensions marked critical. */
  criticalExtensions: string[];
  /** Critical extensions not in `UNDERSTOOD_EXTENSIONS` (RFC 5280 §4.2: reject). */
  unknownCriticalExtensions: string[];
}

/** Decodes the `Extensions` SEQUENCE (the content of tbsCertificate's [3]); throws `Asn1Error`. */
export function parseExtensionProfile(extensionsDer: Uint8Array | undefined): ExtensionProfile {
  const profile: ExtensionProfile = { criticalExtensions: [], unknownCriticalExtensions: [] };
  if (!extensionsDer) return profile;
  let extensions: Extensions;
  try {
    extensions = AsnConvert.parse(extensionsDer, Extensions);
  } catch {
    throw new Asn1Error("bad_value", "unreadable certificate extensions");
  }
  const seen = new Set<string>();
  for (const extension of extensions) {
    if (seen.has(extension.extnID)) {
      // RFC 5280 §4.2: a certificate MUST NOT include more than one instance of an extension.
      throw new Asn1Error("bad_value", `extension ${extension.extnID} repeated`);
    }
    seen.add(extension.extnID);
    if (extension.critical) {
      profile.criticalExtensions.push(extension.extnID);
      if (!UNDERSTOOD_EXTENSIONS.has(extension.extnID)) {
        profile.unknownCriticalExtensions.push(extension.extnID);
      }
    }
    try {
      decodeValue(profile, extension.extnID, extension.extnValue.buffer);
    } catch {
      throw new Asn1Error("bad_value", `unreadable extension ${extension.extnID}`);
    }
  }
  return profile;
}

function decodeValue(profile: ExtensionProfile, oid: string, value: ArrayBuffer): void {
  if (oid === id_ce_keyUsage) {
    profile.keyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
  } else if (oid === id_ce_basicConstraints) {
    const bc = AsnConvert.parse(value, BasicConstraints);
    profile.basicConstraints = { cA: bc.cA, pathLenConstraint: bc.pathLenConstraint };
  } else if (oid === id_ce_privateKeyUsagePeriod) {
    const period = AsnConvert.parse(value, PrivateKeyUsagePeriod);
    profile.privateKeyUsagePeriod = { notBefore: period.notBefore, notAfter: period.notAfter };
  }
}

/** True when `keyUsage` is present and has every bit of `flags`. */
export function hasKeyUsage(keyUsage: number | undefined, flags: number): boolean {
  return keyUsage !== undefined && (keyUsage & flags) === flags;
}
