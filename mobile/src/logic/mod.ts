/**
 * The app's logic: plain TypeScript the screens render and the tests drive (no React Native
 * imports). See mobile/README.md.
 * @module
 */
export * from "./bytes.ts";
export * from "./config.ts";
export * from "./links.ts";
export * from "./mrz.ts";
export * from "./messages.ts";
export * from "./protocol.ts";
export * from "./chip_step.ts";
export * from "./flow.ts";
