/** The ASN.1 layer: TLV reader, value decoders, names, certificates, CRLs, a DER writer. */
export * from "./errors.ts";
export * from "./tlv.ts";
export * from "./values.ts";
export * from "./name.ts";
export * from "./algorithm_identifier.ts";
export * from "./extensions.ts";
export * from "./x509.ts";
export * from "./crl.ts";
export * from "./der_writer.ts";
