/**
 * A tiny synthetic PKI for tests of this folder: P-256 CSCA, DSC, CRL and EF.SOD built with the
 * DER writer and signed with WebCrypto, so revocation, validity and tampering paths can be
 * provoked without real keys. (The product's document factory lives in `verify/factory/`.)
 */
import {
  bigIntToBytes,
  concatBytes,
  derBitString,
  derContext,
  derInteger,
  derName,
  derOctetString,
  derOid,
  derSequence,
  derSet,
  derTime,
  derTlv,
} from "../asn1/mod.ts";

const ECDSA_SHA256 = "1.2.840.10045.4.3.2";
const SHA256 = "2.16.840.1.101.3.4.2.1";

/** A key pair and its SPKI. */
export interface TestKey {
  privateKey: CryptoKey;
  spki: Uint8Array;
}

/** Generates a P-256 key pair. */
export async function testKey(): Promise<TestKey> {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ]);
  return {
    privateKey: pair.privateKey,
    spki: new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)),
  };
}

async function signDer(key: CryptoKey, data: Uint8Array): Promise<Uint8Array> {
  const raw = new Uint8Array(
    await crypto.subtle.sign(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      data as Uint8Array<ArrayBuffer>,
    ),
  );
  const int = (b: Uint8Array) => derInteger(BigInt("0x" + b.toHex()));
  return derSequence(int(raw.subarray(0, 32)), int(raw.subarray(32)));
}

/** Options of `testCertificate`. */
export interface TestCertificateOptions {
  subject: Array<[string, string]>;
  issuer: Array<[string, string]>;
  serial: bigint;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  signer: CryptoKey;
  ski: Uint8Array;
  aki?: Uint8Array;
  isCa: boolean;
}

function extension(oid: string, value: Uint8Array, critical = false): Uint8Array {
  const flag = critical ? [new Uint8Array([1, 1, 0xff])] : [];
  return derSequence(derOid(oid), ...flag, derOctetString(value));
}

/** Builds and signs an X.509 v3 certificate. */
export async function testCertificate(o: TestCertificateOptions): Promise<Uint8Array> {
  const extensions = [extension("2.5.29.14", derOctetString(o.ski))];
  if (o.aki) extensions.push(extension("2.5.29.35", derSequence(derTlv(0x80, o.aki))));
  // Key usage as ICAO 9303-12 profiles it: keyCertSign + cRLSign for a CSCA, digitalSignature else.
  const keyUsage = o.isCa ? new Uint8Array([1, 0x06]) : new Uint8Array([7, 0x80]);
  extensions.push(extension("2.5.29.15", derTlv(0x03, keyUsage), true));
  if (o.isCa) {
    extensions.push(extension("2.5.29.19", derSequence(new Uint8Array([1, 1, 0xff])), true));
  }
  const tbs = derSequence(
    derContext(0, derInteger(2)),
    derInteger(o.serial),
    derSequence(derOid(ECDSA_SHA256)),
    derName(o.issuer),
    derSequence(derTime(o.notBefore), derTime(o.notAfter)),
    derName(o.subject),
    o.spki,
    derContext(3, derSequence(...extensions)),
  );
  return derSequence(
    tbs,
    derSequence(derOid(ECDSA_SHA256)),
    derBitString(await signDer(o.signer, tbs)),
  );
}

/** Builds and signs a CRL listing `revoked` serials. */
export async function testCrl(o: {
  issuer: Array<[string, string]>;
  signer: CryptoKey;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: bigint[];
}): Promise<Uint8Array> {
  const entries = o.revoked.map((serial) => derSequence(derInteger(serial), derTime(o.thisUpdate)));
  const tbs = derSequence(
    derInteger(1),
    derSequence(derOid(ECDSA_SHA256)),
    derName(o.issuer),
    derTime(o.thisUpdate),
    ...(o.nextUpdate ? [derTime(o.nextUpdate)] : []),
    ...(entries.length ? [derSequence(...entries)] : []),
  );
  return derSequence(
    tbs,
    derSequence(derOid(ECDSA_SHA256)),
    derBitString(await signDer(o.signer, tbs)),
  );
}

/** Builds EF.SOD over `dataGroups`, signed by the DSC key. */
export async function testSod(o: {
  dsc: Uint8Array;
  dscIssuer: Array<[string, string]>;
  dscSerial: bigint;
  signer: CryptoKey;
  dataGroups: Map<number, Uint8Array>;
  signingTime?: Date;
  /** Leave the DSC out of `certificates` (it must then come from the trust store). */
  omitDsc?: boolean;
}): Promise<Uint8Array> {
  const hashes: Uint8Array[] = [];
  for (const [dg, bytes] of o.dataGroups) {
    const hash = new Uint8Array(
      await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
    );
    hashes.push(derSequence(derInteger(dg), derOctetString(hash)));
  }
  const lds = derSequence(derInteger(0), derSequence(derOid(SHA256)), derSequence(...hashes));
  const ldsDigest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", lds as Uint8Array<ArrayBuffer>),
  );
  const attrs = [
    derSequence(derOid("1.2.840.113549.1.9.3"), derSet(derOid("2.23.136.1.1.1"))),
    derSequence(derOid("1.2.840.113549.1.9.4"), derSet(derOctetString(ldsDigest))),
  ];
  if (o.signingTime) {
    attrs.push(derSequence(derOid("1.2.840.113549.1.9.5"), derSet(derTime(o.signingTime))));
  }
  const signedAttrs = derSet(...attrs);
  const signature = await signDer(o.signer, signedAttrs);
  const signerInfo = derSequence(
    derInteger(1),
    derSequence(derName(o.dscIssuer), derInteger(o.dscSerial)),
    derSequence(derOid(SHA256)),
    concatBytes([new Uint8Array([0xa0]), signedAttrs.subarray(1)]),
    derSequence(derOid(ECDSA_SHA256)),
    derOctetString(signature),
  );
  const signedData = derSequence(
    derInteger(3),
    derSet(derSequence(derOid(SHA256))),
    derSequence(derOid("2.23.136.1.1.1"), derContext(0, derOctetString(lds))),
    ...(o.omitDsc ? [] : [derContext(0, o.dsc)]),
    derSet(signerInfo),
  );
  return derTlv(0x77, derSequence(derOid("1.2.840.113549.1.7.2"), derContext(0, signedData)));
}

/** A complete synthetic document: CSCA, DSC, data groups, SOD. */
export interface TestDocument {
  csca: Uint8Array;
  cscaKey: TestKey;
  cscaName: Array<[string, string]>;
  dsc: Uint8Array;
  dscSerial: bigint;
  dscKey: TestKey;
  dataGroups: Map<number, Uint8Array>;
  sod: Uint8Array;
}

/** Builds a document valid 2020-01-01..2030-01-01 (DSC 2020..2025) with DG1, DG2 and DG14. */
export async function testDocument(signingTime?: Date): Promise<TestDocument> {
  const cscaKey = await testKey();
  const dscKey = await testKey();
  const cscaName: Array<[string, string]> = [["2.5.4.6", "UT"], ["2.5.4.3", "Test CSCA"]];
  const cscaSki = bigIntToBytes(0x0102030405n, 20);
  const csca = await testCertificate({
    subject: cscaName,
    issuer: cscaName,
    serial: 1n,
    notBefore: new Date("2020-01-01"),
    notAfter: new Date("2030-01-01"),
    spki: cscaKey.spki,
    signer: cscaKey.privateKey,
    ski: cscaSki,
    aki: cscaSki,
    isCa: true,
  });
  const dscSerial = 0x4242n;
  const dsc = await testCertificate({
    subject: [["2.5.4.6", "UT"], ["2.5.4.3", "Test DSC"]],
    issuer: cscaName,
    serial: dscSerial,
    notBefore: new Date("2020-01-01"),
    notAfter: new Date("2025-01-01"),
    spki: dscKey.spki,
    signer: cscaKey.privateKey,
    ski: bigIntToBytes(0x0a0bn, 20),
    aki: cscaSki,
    isCa: false,
  });
  const dataGroups = new Map<number, Uint8Array>([
    [1, new Uint8Array([0x61, 0x03, 0x5f, 0x1f, 0x00])],
    [2, new Uint8Array([0x75, 0x02, 0x01, 0x02])],
    [14, new Uint8Array([0x6e, 0x01, 0x00])],
  ]);
  const sod = await testSod({
    dsc,
    dscIssuer: cscaName,
    dscSerial,
    signer: dscKey.privateKey,
    dataGroups,
    signingTime,
  });
  return { csca, cscaKey, cscaName, dsc, dscSerial, dscKey, dataGroups, sod };
}
