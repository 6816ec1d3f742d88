/**
 * The synthetic document factory (issue 5, docs/api.md#test-and-live): a complete, internally consistent ePassport
 * (CSCA → DSC → EF.SOD over DG1, DG2, DG14, DG15) plus a chip simulator that answers Active and
 * Chip Authentication, with switches that break exactly one check each so every failure code
 * can be driven through the real pipeline.
 */
import { parseCertificate } from "../asn1/mod.ts";
import type { SmCipher } from "../chip/dg14.ts";
import type { HashName } from "../chip/hashes.ts";
import { ChipSimulator, type SimulatedAaKey, type SimulatedCaKey } from "./chip_simulator.ts";
import { createCertificate, type DistinguishedName } from "./certificates.ts";
import { encodeDg14, encodeDg15 } from "./data_groups.ts";
import { dhKeyPair, ecKeyPair, rsaKeyPair } from "./keys.ts";
import { buildTd1, buildTd3, encodeDg1, type MrzFields } from "./mrz_builder.ts";
import { encodeDg2 } from "./portrait.ts";
import { sandboxCsca } from "./sandbox_csca.ts";
import { createSigner, type SignatureAlgorithm, type Signer } from "./signers.ts";
import { createSod } from "./sod.ts";

/** The AA key of the synthetic chip. */
export type AaKeyOption =
  | "rsa-1024"
  | "rsa-2048"
  | "ec-p256"
  | "ec-brainpoolP256r1"
  | "ec-brainpoolP384r1";
/** The CA key of the synthetic chip: a curve name or `dh` (RFC 5114 group 1). */
export type CaKeyOption = "P-256" | "P-384" | "brainpoolP256r1" | "brainpoolP384r1" | "dh";

/** Options of {@link createSyntheticPassport}; every field has a sensible default. */
export interface SyntheticPassportOptions {
  /** MRZ fields to override (defaults: the ICAO specimen ERIKSSON ANNA MARIA, UTO). */
  mrz?: Partial<MrzFields>;
  /** TD3 (passport, default) or TD1 (card). */
  format?: "TD3" | "TD1";
  /** Face image bytes (JPEG or JPEG 2000); defaults to a tiny generated JPEG. */
  portrait?: Uint8Array;
  /** The SOD's signature algorithm (also the DSC key type). Default `ecdsa-p256-sha256`. */
  sodAlgorithm?: SignatureAlgorithm;
  /** `sandbox` (default, the test-mode trust anchor) or `generated` (a process-local CSCA). */
  csca?: "sandbox" | "generated";
  /** AA key, or false to omit DG15. Default `rsa-1024`. */
  aa?: AaKeyOption | false;
  /** AA digest: the ISO 9796-2 trailer for RSA, the ECDSA hash for EC. Default SHA-1 / SHA-256. */
  aaHash?: HashName;
  /** CA key and cipher, or false to offer no CA. Default P-256 with AES-128. */
  ca?: { key?: CaKeyOption; cipher?: SmCipher; keyId?: number } | false;
  /** The clock: signing time and the default validity are relative to it. */
  now?: Date;
  /** Corrupt a signed attribute after signing → SOD signature invalid. */
  tamperSod?: boolean;
  /** Change a data group after hashing → hash mismatch (true = DG2). */
  tamperDataGroup?: boolean | number;
  /** Make the document expire in the past. */
  expired?: boolean;
  /** The chip signs AA with a key other than DG15's. */
  wrongAaKey?: boolean;
  /** The chip runs CA with a static key other than DG14's → bad MAC. */
  failChipAuth?: boolean;
  /** Break the document number's check digit in DG1 (still correctly hashed and signed). */
  badMrzCheckDigit?: boolean;
}

/** A synthetic passport: the files a phone would upload, the chip, and its PKI. */
export interface SyntheticPassport {
  files: { sod: Uint8Array; dataGroups: Map<number, Uint8Array> };
  chip: ChipSimulator;
  /** The chip's private keys (what an emulated chip signs and agrees with). */
  chipKeys: { aa?: SimulatedAaKey; ca?: SimulatedCaKey };
  cscaCertificate: Uint8Array;
  dscCertificate: Uint8Array;
  /** The MRZ fields used, and the MRZ string written into DG1. */
  mrzFields: MrzFields;
  mrz: string;
}

const DAY = 86_400_000;

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function mrzFieldsFor(options: SyntheticPassportOptions, now: Date): MrzFields {
  const expiry = options.expired
    ? new Date(now.getTime() - 30 * DAY)
    : new Date(now.getTime() + 5 * 365 * DAY);
  return {
    documentCode: options.format === "TD1" ? "ID" : "P",
    issuingState: "UTO",
    primaryIdentifier: "ERIKSSON",
    secondaryIdentifier: "ANNA MARIA",
    documentNumber: "L898902C3",
    nationality: "UTO",
    dateOfBirth: "1974-08-12",
    sex: "F",
    dateOfExpiry: isoDate(expiry),
    optionalData: "",
    ...options.mrz,
  };
}

/** Creates a synthetic passport. RSA keys are generated once per process and reused. */
export async function createSyntheticPassport(
  options: SyntheticPassportOptions = {},
): Promise<SyntheticPassport> {
  const now = options.now ?? new Date();
  const mrzFields = mrzFieldsFor(options, now);
  const build = options.format === "TD1" ? buildTd1 : buildTd3;
  const mrz = build(mrzFields, options.badMrzCheckDigit ?? false);
  const aa = await aaKeys(options);
  const ca = caKeys(options);
  const dataGroups = new Map<number, Uint8Array>([[1, encodeDg1(mrz)], [
    2,
    encodeDg2(options.portrait),
  ]]);
  const aaHashInDg14 = aa?.genuine.pair.kind === "ec" ? aa.genuine.hash : undefined;
  if (ca || aaHashInDg14) {
    dataGroups.set(14, encodeDg14({ ca: ca?.dg14, aaHash: aaHashInDg14, pace: true }));
  }
  if (aa) dataGroups.set(15, encodeDg15(aa.genuine.pair.publicKey));

  const pki = await issuePki(options, now);
  const sod = await createSod({
    dataGroups,
    signer: pki.dscSigner,
    dscCertificate: pki.dscCertificate,
    signingTime: now,
    tamperSignedAttributes: options.tamperSod,
  });
  if (options.tamperDataGroup) {
    tamperDataGroup(dataGroups, options.tamperDataGroup === true ? 2 : options.tamperDataGroup);
  }
  return {
    files: { sod, dataGroups },
    chip: new ChipSimulator({ aa: aa?.chip, ca: ca?.chip }),
    chipKeys: { aa: aa?.chip, ca: ca?.chip },
    cscaCertificate: pki.cscaCertificate,
    dscCertificate: pki.dscCertificate,
    mrzFields,
    mrz,
  };
}

function tamperDataGroup(dataGroups: Map<number, Uint8Array>, dg: number): void {
  const bytes = dataGroups.get(dg);
  if (!bytes) throw new Error("tamper_data_group_absent");
  const changed = bytes.slice();
  changed[changed.length - 1] ^= 0x01;
  dataGroups.set(dg, changed);
}

async function aaKeys(
  options: SyntheticPassportOptions,
): Promise<{ genuine: SimulatedAaKey; chip: SimulatedAaKey } | undefined> {
  const kind = options.aa ?? "rsa-1024";
  if (kind === false) return undefined;
  const make = async (slot: string) => {
    if (kind.startsWith("rsa")) {
      const pair = await rsaKeyPair(kind === "rsa-1024" ? 1024 : 2048, `aa:${slot}`);
      return { pair, hash: options.aaHash ?? "SHA-1" } as SimulatedAaKey;
    }
    const curve = kind === "ec-p256" ? "P-256" : kind.slice(3);
    return { pair: ecKeyPair(curve), hash: options.aaHash ?? "SHA-256" } as SimulatedAaKey;
  };
  const genuine = await make("genuine");
  return { genuine, chip: options.wrongAaKey ? await make("wrong") : genuine };
}

function caKeys(
  options: SyntheticPassportOptions,
): { dg14: Parameters<typeof encodeDg14>[0]["ca"]; chip: SimulatedCaKey } | undefined {
  if (options.ca === false) return undefined;
  const key = options.ca?.key ?? "P-256";
  const cipher = options.ca?.cipher ?? "AES-128";
  const genuine = key === "dh" ? dhKeyPair() : ecKeyPair(key);
  const impostor = options.failChipAuth ? (key === "dh" ? dhKeyPair() : ecKeyPair(key)) : genuine;
  return {
    dg14: { publicKey: genuine.publicKey, cipher, keyId: options.ca?.keyId },
    chip: { domainKey: genuine.publicKey, privateScalar: impostor.privateScalar, cipher },
  };
}

const GENERATED_CSCA_NAME: DistinguishedName = [["C", "UT"], ["O", "Kayle ID"], [
  "CN",
  "Kayle ID Test CSCA",
]];
let generatedCsca: Promise<{ certificate: Uint8Array; signer: Signer }> | undefined;

function generatedCscaFor(now: Date) {
  generatedCsca ??= (async () => {
    const signer = await createSigner("ecdsa-p384-sha384", "generated-csca");
    const certificate = await createCertificate({
      serial: 2n,
      issuer: GENERATED_CSCA_NAME,
      subject: GENERATED_CSCA_NAME,
      notBefore: new Date(now.getTime() - 3650 * DAY),
      notAfter: new Date(now.getTime() + 3650 * DAY),
      spki: signer.spki,
      issuerSpki: signer.spki,
      isCa: true,
    }, signer);
    return { certificate, signer };
  })();
  return generatedCsca;
}

/**
 * The DSC's validity: wide like a real one (ICAO 9303-12 sizes it to cover what it signs), five
 * years each side of `now` inside the CSCA's validity (never narrower than now − 30 days ..
 * now + 1 year), so a phone and a server whose clocks disagree by months still find every
 * certificate valid at the verification time (the shell model, docs/document-checks.md).
 */
function dscValidity(cscaCertificate: Uint8Array, now: Date): { notBefore: Date; notAfter: Date } {
  const csca = parseCertificate(cscaCertificate);
  const t = now.getTime();
  const year = 365 * DAY;
  return {
    notBefore: new Date(Math.min(t - 30 * DAY, Math.max(t - 5 * year, csca.notBefore.getTime()))),
    notAfter: new Date(Math.max(t + year, Math.min(t + 5 * year, csca.notAfter.getTime()))),
  };
}

async function issuePki(options: SyntheticPassportOptions, now: Date) {
  const csca = options.csca === "generated"
    ? { ...(await generatedCscaFor(now)), name: GENERATED_CSCA_NAME }
    : await sandboxCsca();
  const dscSigner = await createSigner(options.sodAlgorithm ?? "ecdsa-p256-sha256");
  const dscCertificate = await createCertificate({
    serial: BigInt(now.getTime()),
    issuer: csca.name,
    subject: [["C", "UT"], ["O", "Kayle ID"], ["CN", "Kayle ID Test Document Signer"]],
    ...dscValidity(csca.certificate, now),
    spki: dscSigner.spki,
    issuerSpki: csca.signer.spki,
    isCa: false,
  }, csca.signer);
  return { cscaCertificate: csca.certificate, dscCertificate, dscSigner };
}
