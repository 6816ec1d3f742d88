/**
 * Rule-breaking documents for the passive-authentication conformance table (issue 14): a small
 * PKI (CSCA → DSC → EF.SOD over DG1 and DG2) at fixed dates, where each option breaks exactly one
 * rule of RFC 5280 path validation or ICAO 9303-12, and the defaults give the compliant twin.
 * The rules and their failure reasons are listed in docs/document-checks.md.
 */
import { encodeBitString, encodeInteger, encodeOid, encodeSequence } from "../chip/der.ts";
import {
  type CertificateDeviations,
  createCertificate,
  type DistinguishedName,
  encodeName,
  encodeTime,
} from "./certificates.ts";
import { buildTd3, encodeDg1, type MrzFields } from "./mrz_builder.ts";
import { encodeDg2 } from "./portrait.ts";
import { createSigner, type Signer } from "./signers.ts";
import { createSod, type SodDeviations } from "./sod.ts";

/** The verification time of every conformance document. */
export const CONFORMANCE_AT = new Date("2026-06-01T00:00:00Z");

/** The CSCA's subject (and the DSC's issuer) name. */
export const CONFORMANCE_CSCA_NAME: DistinguishedName = [
  ["C", "UT"],
  ["O", "Kayle ID"],
  ["CN", "Kayle ID Conformance CSCA"],
];

/** A certificate's dates and deviations. */
export interface CertificateOptions extends CertificateDeviations {
  notBefore?: Date;
  notAfter?: Date;
  /** The issuer name written in the certificate (DSC only; default the CSCA's subject). */
  issuerName?: DistinguishedName;
  /** Sign with another key than the issuer's (DSC only). */
  signedByOtherKey?: boolean;
}

/** What to break; `{}` is the compliant document. */
export interface ConformanceOptions {
  csca?: CertificateOptions;
  dsc?: CertificateOptions;
  sod?: SodDeviations & { signingTime?: Date };
  /** Also issue a CRL from the CSCA's key (listing the DSC when `revokeDsc`). */
  crl?: { revokeDsc: boolean };
}

/** A conformance document: the uploaded files, the trust material and the verification time. */
export interface ConformanceDocument {
  sod: Uint8Array;
  dataGroups: Map<number, Uint8Array>;
  cscaCertificate: Uint8Array;
  dscCertificate: Uint8Array;
  crl?: Uint8Array;
  at: Date;
}

const MRZ: MrzFields = {
  documentCode: "P",
  issuingState: "UTO",
  primaryIdentifier: "ERIKSSON",
  secondaryIdentifier: "ANNA MARIA",
  documentNumber: "L898902C3",
  nationality: "UTO",
  dateOfBirth: "1974-08-12",
  sex: "F",
  dateOfExpiry: "2031-04-15",
  optionalData: "",
};

/** ecdsa-with-SHA384: a different algorithm than the P-256 issuers' ecdsa-with-SHA256. */
const ECDSA_SHA384 = encodeSequence(encodeOid("1.2.840.10045.4.3.3"));

/** Builds the document for `options`. Keys are generated once per process. */
export async function createConformanceDocument(
  options: ConformanceOptions = {},
): Promise<ConformanceDocument> {
  const cscaSigner = await createSigner("ecdsa-p256-sha256", "conformance-csca");
  const dscSigner = await createSigner("ecdsa-p256-sha256", "conformance-dsc");
  const cscaCertificate = await createCertificate({
    serial: 1n,
    issuer: CONFORMANCE_CSCA_NAME,
    subject: CONFORMANCE_CSCA_NAME,
    notBefore: options.csca?.notBefore ?? new Date("2020-01-01T00:00:00Z"),
    notAfter: options.csca?.notAfter ?? new Date("2035-01-01T00:00:00Z"),
    spki: cscaSigner.spki,
    issuerSpki: cscaSigner.spki,
    isCa: true,
    deviations: deviationsOf(options.csca),
  }, cscaSigner);
  const dscIssuerSigner = options.dsc?.signedByOtherKey
    ? await createSigner("ecdsa-p256-sha256", "conformance-other")
    : cscaSigner;
  const dscCertificate = await createCertificate({
    serial: 0x4b41594cn,
    issuer: options.dsc?.issuerName ?? CONFORMANCE_CSCA_NAME,
    subject: [["C", "UT"], ["O", "Kayle ID"], ["CN", "Kayle ID Conformance Document Signer"]],
    notBefore: options.dsc?.notBefore ?? new Date("2025-01-01T00:00:00Z"),
    notAfter: options.dsc?.notAfter ?? new Date("2030-01-01T00:00:00Z"),
    spki: dscSigner.spki,
    issuerSpki: cscaSigner.spki,
    isCa: false,
    deviations: deviationsOf(options.dsc),
  }, dscIssuerSigner);
  const dataGroups = new Map([[1, encodeDg1(buildTd3(MRZ))], [2, encodeDg2()]]);
  const sod = await createSod({
    dataGroups,
    signer: dscSigner,
    dscCertificate,
    signingTime: options.sod?.signingTime ?? new Date("2026-01-15T09:00:00Z"),
    deviations: options.sod,
  });
  const crl = options.crl
    ? await createCrl(cscaSigner, options.crl.revokeDsc ? [0x4b41594cn] : [])
    : undefined;
  return { sod, dataGroups, cscaCertificate, dscCertificate, crl, at: CONFORMANCE_AT };
}

function deviationsOf(options: CertificateOptions | undefined): CertificateDeviations {
  const deviations: CertificateDeviations = { ...options };
  delete (deviations as CertificateOptions).notBefore;
  delete (deviations as CertificateOptions).notAfter;
  delete (deviations as CertificateOptions).issuerName;
  delete (deviations as CertificateOptions).signedByOtherKey;
  return deviations;
}

/** A fresh CRL of the conformance CSCA (thisUpdate a month before `CONFORMANCE_AT`). */
async function createCrl(signer: Signer, revoked: bigint[]): Promise<Uint8Array> {
  const thisUpdate = new Date("2026-05-01T00:00:00Z");
  const entries = revoked.map((serial) =>
    encodeSequence(encodeInteger(serial), encodeTime(thisUpdate))
  );
  const tbs = encodeSequence(
    encodeInteger(1),
    signer.algorithmIdentifier,
    encodeName(CONFORMANCE_CSCA_NAME),
    encodeTime(thisUpdate),
    encodeTime(new Date("2026-08-01T00:00:00Z")),
    ...(entries.length ? [encodeSequence(...entries)] : []),
  );
  return encodeSequence(tbs, signer.algorithmIdentifier, encodeBitString(await signer.sign(tbs)));
}

/** A sid naming a certificate that is not in the SOD (the DSC's issuer, another serial). */
export function otherSignerIdentifier(): Uint8Array {
  return encodeSequence(encodeName(CONFORMANCE_CSCA_NAME), encodeInteger(0x4b41594dn));
}

/** An extension nobody knows (a private arc), with a NULL value. */
export function unknownExtension(critical: boolean) {
  return { oid: "1.3.6.1.4.1.55555.1.1", critical, value: Uint8Array.of(0x05, 0x00) };
}

/** The tbsCertificate.signature algorithm that disagrees with the outer one. */
export const MISMATCHED_SIGNATURE_ALGORITHM: Uint8Array = ECDSA_SHA384;
