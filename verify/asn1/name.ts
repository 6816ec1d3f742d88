/**
 * X.501 Names: kept raw, shown as "C=DE,O=…", and compared through a normalised key that ignores
 * RDN order, case and repeated spaces (Malaysian SODs list the issuer RDNs in another order).
 */
import { Asn1Error } from "./errors.ts";
import { children, expectTag, TAG, type Tlv } from "./tlv.ts";
import { decodeOid, decodeString, toHex } from "./values.ts";

/** One attribute of a distinguished name. */
export interface NameAttribute {
  /** Attribute type OID, e.g. 2.5.4.3 for commonName. */
  oid: string;
  /** Decoded value (hex-encoded when the value is not a string type). */
  value: string;
}

/** A parsed distinguished name. */
export interface Name {
  /** The original DER of the Name (for display-free exact comparison). */
  raw: Uint8Array;
  /** Attributes in encoded order, RDN by RDN. */
  attributes: NameAttribute[];
  /** Order-insensitive, case-folded key; equal keys mean the same name for matching. */
  key: string;
  /** Human-readable form, e.g. "C=DE,O=bund,CN=csca-germany". */
  text: string;
  /** Upper-case ISO 3166 country from the C attribute, when present. */
  country?: string;
}

const SHORT_NAMES: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.4": "SN",
  "2.5.4.5": "serialNumber",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.42": "GN",
  "1.2.840.113549.1.9.1": "emailAddress",
};

function attributeValue(tlv: Tlv): string {
  try {
    return decodeString(tlv);
  } catch {
    return "#" + toHex(tlv.raw);
  }
}

/** Parses a Name (SEQUENCE OF RDN SET OF AttributeTypeAndValue). */
export function parseName(tlv: Tlv | undefined): Name {
  const seq = expectTag(tlv, TAG.SEQUENCE, "Name");
  const attributes: NameAttribute[] = [];
  for (const rdn of children(seq)) {
    expectTag(rdn, TAG.SET, "RelativeDistinguishedName");
    for (const atv of children(rdn)) {
      const [type, value] = children(expectTag(atv, TAG.SEQUENCE, "AttributeTypeAndValue"));
      if (!value) throw new Asn1Error("missing_element", "attribute value is missing");
      attributes.push({ oid: decodeOid(type), value: attributeValue(value) });
    }
  }
  const countryAttr = attributes.find((a) => a.oid === "2.5.4.6");
  return {
    raw: seq.raw,
    attributes,
    key: nameKeyOf(attributes),
    text: attributes.map((a) => `${SHORT_NAMES[a.oid] ?? a.oid}=${a.value}`).join(","),
    country: countryAttr ? countryAttr.value.trim().toUpperCase() : undefined,
  };
}

/** The order-insensitive comparison key of a list of attributes. */
export function nameKeyOf(attributes: NameAttribute[]): string {
  return attributes
    .map((a) => `${a.oid}=${a.value.trim().replace(/\s+/g, " ").toLowerCase()}`)
    .sort()
    .join("|");
}
