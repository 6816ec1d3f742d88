/** AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL }. */
import { children, expectTag, TAG, type Tlv } from "./tlv.ts";
import { decodeOid } from "./values.ts";

/** A parsed AlgorithmIdentifier; `parameters` is the raw parameter element when present. */
export interface AlgorithmIdentifier {
  /** Dotted algorithm OID. */
  oid: string;
  /** The parameters element (NULL, RSASSA-PSS-params, curve…), absent when omitted. */
  parameters?: Tlv;
}

/** Parses an AlgorithmIdentifier element. */
export function parseAlgorithmIdentifier(tlv: Tlv | undefined): AlgorithmIdentifier {
  const [oid, parameters] = children(expectTag(tlv, TAG.SEQUENCE, "AlgorithmIdentifier"));
  const out: AlgorithmIdentifier = { oid: decodeOid(oid) };
  if (parameters && parameters.tag !== TAG.NULL) out.parameters = parameters;
  return out;
}
