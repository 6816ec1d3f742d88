/**
 * CMS ContentInfo / SignedData (RFC 5652) as used by EF.SOD and CSCA master lists. Keeps the
 * original bytes of the encapsulated content and of the signed attributes, whose first octet
 * (IMPLICIT [0], 0xA0) is replaced by SET OF (0x31) for the signature check, as CMS requires.
 */
import {
  type AlgorithmIdentifier,
  Asn1Error,
  children,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  expectTag,
  integerHex,
  type Name,
  octetStringValue,
  parseAlgorithmIdentifier,
  parseName,
  TAG,
  type Tlv,
  toHex,
} from "../asn1/mod.ts";

/** id-signedData. */
export const OID_SIGNED_DATA = "1.2.840.113549.1.7.2";
/** Signed attribute OIDs. */
export const OID_CONTENT_TYPE = "1.2.840.113549.1.9.3";
export const OID_MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
export const OID_SIGNING_TIME = "1.2.840.113549.1.9.5";

/** How a SignerInfo names its certificate. */
export type SignerIdentifier =
  | { kind: "issuerAndSerial"; issuer: Name; serialHex: string }
  | { kind: "subjectKeyIdentifier"; skiHex: string };

/** One SignerInfo. */
export interface SignerInfo {
  version: number;
  sid: SignerIdentifier;
  digestAlgorithm: AlgorithmIdentifier;
  /** signedAttrs re-tagged 0x31: exactly the bytes the signature covers. */
  signedAttrsForSignature?: Uint8Array;
  /** Signed attribute values by OID (each a list of the SET's elements). */
  signedAttributes: Map<string, Tlv[]>;
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

/** A parsed SignedData. */
export interface SignedData {
  version: number;
  digestAlgorithms: AlgorithmIdentifier[];
  eContentType: string;
  /** The encapsulated content octets (BER constructed OCTET STRINGs concatenated). */
  eContent?: Uint8Array;
  /** Embedded certificates, raw DER, in order. */
  certificates: Uint8Array[];
  /** Embedded CRLs, raw DER. */
  crls: Uint8Array[];
  signerInfos: SignerInfo[];
}

/** Reads ContentInfo: returns its contentType and the explicit [0] content element. */
export function parseContentInfo(tlv: Tlv): { contentType: string; content: Tlv } {
  const [type, wrapper] = children(expectTag(tlv, TAG.SEQUENCE, "ContentInfo"));
  const contentType = decodeOid(type);
  const content = children(expectTag(wrapper, 0xa0, "ContentInfo.content"))[0];
  if (!content) throw new Asn1Error("missing_element", "ContentInfo.content is empty");
  return { contentType, content };
}

/** Parses a SignedData element. */
export function parseSignedData(tlv: Tlv): SignedData {
  const fields = children(expectTag(tlv, TAG.SEQUENCE, "SignedData"));
  const version = decodeSmallInteger(fields[0]);
  const digestAlgorithms = children(expectTag(fields[1], TAG.SET, "digestAlgorithms"))
    .map(parseAlgorithmIdentifier);
  const [typeTlv, contentWrapper] = children(
    expectTag(fields[2], TAG.SEQUENCE, "encapContentInfo"),
  );
  const eContent = contentWrapper
    ? octetStringValue(children(expectTag(contentWrapper, 0xa0, "eContent"))[0])
    : undefined;
  let i = 3;
  const certificates: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  if (fields[i]?.tag === 0xa0) {
    for (const c of children(fields[i++])) if (c.tag === TAG.SEQUENCE) certificates.push(c.raw);
  }
  if (fields[i]?.tag === 0xa1) {
    for (const c of children(fields[i++])) if (c.tag === TAG.SEQUENCE) crls.push(c.raw);
  }
  const signerInfos = children(expectTag(fields[i], TAG.SET, "signerInfos")).map(parseSignerInfo);
  if (fields.length > i + 1) throw new Asn1Error("bad_value", "extra elements in SignedData");
  return {
    version,
    digestAlgorithms,
    eContentType: decodeOid(typeTlv),
    eContent,
    certificates,
    crls,
    signerInfos,
  };
}

function parseSignerIdentifier(tlv: Tlv): SignerIdentifier {
  if (tlv.tag === 0x80) return { kind: "subjectKeyIdentifier", skiHex: toHex(tlv.value) };
  const [issuer, serial] = children(expectTag(tlv, TAG.SEQUENCE, "IssuerAndSerialNumber"));
  return { kind: "issuerAndSerial", issuer: parseName(issuer), serialHex: integerHex(serial) };
}

function parseSignerInfo(tlv: Tlv): SignerInfo {
  const fields = children(expectTag(tlv, TAG.SEQUENCE, "SignerInfo"));
  let i = 0;
  const version = decodeSmallInteger(fields[i++]);
  if (!fields[i]) throw new Asn1Error("missing_element", "SignerInfo.sid is missing");
  const sid = parseSignerIdentifier(fields[i++]);
  const digestAlgorithm = parseAlgorithmIdentifier(fields[i++]);
  const signedAttributes = new Map<string, Tlv[]>();
  let signedAttrsForSignature: Uint8Array | undefined;
  if (fields[i]?.tag === 0xa0) {
    const attrs = fields[i++];
    if (attrs.indefinite) throw new Asn1Error("bad_length", "signedAttrs must be DER");
    signedAttrsForSignature = attrs.raw.slice();
    signedAttrsForSignature[0] = TAG.SET;
    for (const attr of children(attrs)) {
      const [oid, values] = children(expectTag(attr, TAG.SEQUENCE, "Attribute"));
      const key = decodeOid(oid);
      if (signedAttributes.has(key)) throw new Asn1Error("bad_value", "repeated signed attribute");
      signedAttributes.set(key, children(expectTag(values, TAG.SET, "Attribute values")));
    }
  }
  const signatureAlgorithm = parseAlgorithmIdentifier(fields[i++]);
  const signature = octetStringValue(expectTag(fields[i], TAG.OCTET_STRING, "signature"));
  return {
    version,
    sid,
    digestAlgorithm,
    signedAttrsForSignature,
    signedAttributes,
    signatureAlgorithm,
    signature,
  };
}

/** The single value of a signed attribute, or undefined when absent. */
export function signedAttribute(signer: SignerInfo, oid: string): Tlv | undefined {
  const values = signer.signedAttributes.get(oid);
  if (!values) return undefined;
  if (values.length !== 1) throw new Asn1Error("bad_value", `attribute ${oid} must have one value`);
  return values[0];
}

/** The signingTime attribute, when present. */
export function signingTimeOf(signer: SignerInfo): Date | undefined {
  const value = signedAttribute(signer, OID_SIGNING_TIME);
  return value ? decodeTime(value) : undefined;
}
