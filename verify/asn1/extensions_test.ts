import assert from "node:assert/strict";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  BasicConstraints,
  Extensions,
  id_ce_basicConstraints,
  id_ce_keyUsage,
  id_ce_privateKeyUsagePeriod,
  KeyUsage,
  PrivateKeyUsagePeriod,
} from "@peculiar/asn1-x509";
import {
  type ExtensionProfile,
  parseExtensionProfile,
  UNDERSTOOD_EXTENSIONS,
} from "./extensions.ts";
import { Asn1Error } from "./errors.ts";
import { children, parseTlv } from "./tlv.ts";
import { parseMasterList } from "../cms/master_list.ts";
import { parseSod } from "../cms/sod.ts";
import { readVector, vectorsDir } from "../vectors_test_support.ts";
import { derOid, derSequence, derTlv } from "./der_writer.ts";

/** The `Extensions` DER of a certificate (the content of tbsCertificate's [3]). */
function extensionsOf(certificate: Uint8Array): Uint8Array | undefined {
  const [tbs] = children(parseTlv(certificate));
  const wrapper = children(tbs).find((field) => field.tag === 0xa3);
  return wrapper ? children(wrapper)[0].raw : undefined;
}

/** The schema parser over the whole sequence: what `parseExtensionProfile` did before. */
function profileBySchema(der: Uint8Array | undefined): ExtensionProfile {
  const profile: ExtensionProfile = { criticalExtensions: [], unknownCriticalExtensions: [] };
  if (!der) return profile;
  for (const extension of AsnConvert.parse(der, Extensions)) {
    if (extension.critical) {
      profile.criticalExtensions.push(extension.extnID);
      if (!UNDERSTOOD_EXTENSIONS.has(extension.extnID)) {
        profile.unknownCriticalExtensions.push(extension.extnID);
      }
    }
    const value = extension.extnValue.buffer;
    if (extension.extnID === id_ce_keyUsage) {
      profile.keyUsage = AsnConvert.parse(value, KeyUsage).toNumber();
    } else if (extension.extnID === id_ce_basicConstraints) {
      const bc = AsnConvert.parse(value, BasicConstraints);
      profile.basicConstraints = { cA: bc.cA, pathLenConstraint: bc.pathLenConstraint };
    } else if (extension.extnID === id_ce_privateKeyUsagePeriod) {
      const period = AsnConvert.parse(value, PrivateKeyUsagePeriod);
      profile.privateKeyUsagePeriod = { notBefore: period.notBefore, notAfter: period.notAfter };
    }
  }
  return profile;
}

/** Every real certificate of the vectors: the DE master list, CSCA files, the DSCs in the SODs. */
function realCertificates(): Uint8Array[] {
  const found = [
    ...parseMasterList(readVector("masterlists/DE_ML_2026-05-28-08-28-45.ml")).certificates,
  ];
  for (const entry of Deno.readDirSync(`${vectorsDir()}/csca-misc-zeropass`)) {
    if (entry.name.endsWith(".der")) found.push(readVector(`csca-misc-zeropass/${entry.name}`));
  }
  for (const country of Deno.readDirSync(`${vectorsDir()}/gmrtd-real`)) {
    if (!country.isDirectory) continue;
    try {
      found.push(
        ...parseSod(readVector(`gmrtd-real/${country.name}/EF_SOD.bin`)).certificates.map((c) =>
          c.der
        ),
      );
    } catch { /* a set without an SOD */ }
  }
  return found;
}

Deno.test("extension profile: the raw reader agrees with the schema parser on every real certificate", () => {
  const certificates = realCertificates();
  assert.ok(certificates.length > 600, `${certificates.length} certificates`);
  let withKeyUsage = 0;
  let withPeriod = 0;
  for (const certificate of certificates) {
    const der = extensionsOf(certificate);
    const profile = parseExtensionProfile(der);
    assert.deepEqual(profile, profileBySchema(der));
    if (profile.keyUsage !== undefined) withKeyUsage++;
    if (profile.privateKeyUsagePeriod) withPeriod++;
  }
  assert.ok(withKeyUsage > 600 && withPeriod > 100, `${withKeyUsage} / ${withPeriod}`);
});

const extension = (oid: string, ...rest: Uint8Array[]) => derSequence(derOid(oid), ...rest);
const octets = (bytes: number[]) => derTlv(0x04, Uint8Array.from(bytes));
const keyUsage = octets([0x03, 0x02, 0x01, 0x06]); // keyCertSign | cRLSign
const TRUE = Uint8Array.of(0x01, 0x01, 0xff);

Deno.test("extension profile: critical flags, and an explicit FALSE read as not critical", () => {
  const profile = parseExtensionProfile(derSequence(
    extension("2.5.29.15", TRUE, keyUsage),
    extension("1.2.3.4", Uint8Array.of(0x01, 0x01, 0x00), octets([0x05, 0x00])),
    extension("1.2.3.5", TRUE, octets([0x05, 0x00])),
  ));
  assert.equal(profile.keyUsage, 32 | 64);
  assert.deepEqual(profile.criticalExtensions, ["2.5.29.15", "1.2.3.5"]);
  assert.deepEqual(profile.unknownCriticalExtensions, ["1.2.3.5"]);
});

Deno.test("extension profile: malformed sequences are bad_value, never another error", () => {
  const bad = [
    derSequence(extension("2.5.29.15", keyUsage), extension("2.5.29.15", keyUsage)), // repeated
    derSequence(derSequence(derOid("2.5.29.15"))), // no extnValue
    derSequence(extension("2.5.29.15", TRUE, TRUE, keyUsage)), // four elements
    derSequence(extension("2.5.29.15", Uint8Array.of(0x02, 0x01, 0x01), keyUsage)), // INTEGER flag
    derSequence(extension("2.5.29.15", Uint8Array.of(0x01, 0x02, 0xff, 0xff), keyUsage)),
    derSequence(extension("2.5.29.15", derTlv(0x03, Uint8Array.of(0, 6)))), // BIT STRING value
    derSequence(derSequence(derTlv(0x04, Uint8Array.of(1)), keyUsage)), // id not an OID
    derSequence(extension("2.5.29.15", octets([0x05, 0x00]))), // keyUsage not a BIT STRING
    derTlv(0x31, extension("2.5.29.15", keyUsage)), // a SET
    Uint8Array.of(0x30, 0x05, 0x30), // truncated
  ];
  for (const der of bad) {
    assert.throws(
      () => parseExtensionProfile(der),
      (error) => error instanceof Asn1Error && error.code === "bad_value",
      Array.from(der, (b) => b.toString(16).padStart(2, "0")).join(""),
    );
  }
});
