/** CMS: SignedData, EF.SOD, signer selection, CSCA master lists. */
export * from "./signed_data.ts";
export * from "./signer.ts";
export * from "./sod.ts";
export * from "./master_list.ts";
