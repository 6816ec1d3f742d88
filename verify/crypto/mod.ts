/** The signature layer: hashes, curves, SPKI parsing, RSA/RSA-PSS/ECDSA verification. */
export * from "./errors.ts";
export * from "./hash.ts";
export * from "./curves.ts";
export * from "./spki.ts";
export * from "./algorithms.ts";
export * from "./rsa.ts";
export * from "./ecdsa.ts";
export * from "./signature.ts";
