/** The trust store: types, in-memory and KV sources, importers, pinned roots, LDIF/PEM readers. */
export * from "./types.ts";
export * from "./memory_source.ts";
export * from "./kv_store.ts";
export * from "./import.ts";
export * from "./pinned_roots.ts";
export * from "./ldif.ts";
export * from "./pem.ts";
export * from "./admission.ts";
