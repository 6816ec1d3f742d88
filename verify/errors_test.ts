import assert from "node:assert/strict";
import { CodedError } from "./errors.ts";
import { Asn1Error } from "./asn1/errors.ts";
import { SodError } from "./cms/sod.ts";

Deno.test("coded errors keep their layer's name and code, and prefix the message with the code", () => {
  const error = new SodError("sod_version_invalid", "version 7 is not 0 or 1");
  assert.ok(error instanceof SodError && error instanceof CodedError && error instanceof Error);
  assert.equal(error.name, "SodError");
  assert.equal(error.code, "sod_version_invalid");
  assert.equal(error.message, "sod_version_invalid: version 7 is not 0 or 1");
  // Layers stay distinguishable.
  assert.equal(new Asn1Error("truncated", "x") instanceof SodError, false);
});
