/**
 * The certificate extensions path validation needs (RFC 5280 §4.2): key usage, basic constraints,
 * private-key usage period, and the critical flag of every extension. The `Extensions` sequence is
 * walked with the raw DER reader (`tlv.ts`, as the signed bytes in `x509.ts`); only the values of
 * those three extensions are handed to the `@peculiar/asn1-x509` schemas. Parsing the whole
 * sequence with the schema parser took two thirds of passive authentication's own work
 * (docs/performance.md).
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_privateKeyUsagePeriod,
  KeyUsage,
  KeyUsageFlags,
  PrivateKeyUsagePeriod,
} from "@peculiar/asn1-x509";
import { Asn1Error } from "./errors.ts";
import { children, expectTag, parseTlv, TAG } from "./tlv.ts";
import { decodeOid, octetStringValue } from "./values.ts";

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
  let extensions: Extension[];
  try {
    extensions = readExtensions(extensionsDer);
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
      decodeValue(profile, extension.extnID, extension.extnValue);
    } catch {
      throw new Asn1Error("bad_value", `unreadable extension ${extension.extnID}`);
    }
  }
  return profile;
}

/** One `Extension` (RFC 5280 §4.1): its OID, critical flag and the content of extnValue. */
interface Extension {
  extnID: string;
  critical: boolean;
  extnValue: Uint8Array;
}

/** `Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }` */
function readExtensions(der: Uint8Array): Extension[] {
  return children(expectTag(parseTlv(der), TAG.SEQUENCE, "Extensions")).map((extension) => {
    const parts = children(expectTag(extension, TAG.SEQUENCE, "Extension"));
    if (parts.length < 2 || parts.length > 3) {
      throw new Asn1Error("bad_value", "an Extension has 2 or 3 elements");
    }
    let critical = false;
    if (parts.length === 3) {
      const flag = expectTag(parts[1], TAG.BOOLEAN, "Extension.critical");
      if (flag.value.length !== 1) throw new Asn1Error("bad_value", "a BOOLEAN has one octet");
      critical = flag.value[0] !== 0;
    }
    return {
      extnID: decodeOid(expectTag(parts[0], TAG.OID, "Extension.extnID")),
      critical,
      extnValue: octetStringValue(parts[parts.length - 1]),
    };
  });
}

function decodeValue(profile: ExtensionProfile, oid: string, value: Uint8Array): void {
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
