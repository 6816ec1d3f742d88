import assert from "node:assert/strict";
import { readVector } from "../vectors_test_support.ts";
import { type Dg12FailureReason, parseDg12 } from "./dg12.ts";
import { assertParserIsTotal, tlv } from "./tlv_test_support.ts";

const REASONS: ReadonlySet<Dg12FailureReason> = new Set(["dg12_malformed", "dg12_wrong_tag"]);

const SYNTHETIC = tlv(
  0x6c,
  tlv(0x5c, [0x5f, 0x19, 0x5f, 0x26]),
  tlv(0x5f19, "CITY HALL"),
  tlv(0x5f26, [0x20, 0x21, 0x12, 0x31]),
);

Deno.test("DG12: issuing authority and a BCD date of issue", () => {
  const result = parseDg12(SYNTHETIC);
  assert.ok(result.ok);
  assert.deepEqual(result.dg12, {
    tagList: [0x5f19, 0x5f26],
    issuingAuthority: "CITY HALL",
    dateOfIssue: "2021-12-31",
    otherPersons: [],
  });
});

Deno.test({
  name: "gmrtd-real FR DG12: issuing authority and ASCII date of issue",
  fn() {
    const result = parseDg12(readVector("gmrtd-real/FR/DG12.bin"));
    assert.ok(result.ok);
    assert.deepEqual(result.dg12, {
      tagList: [0x5f19, 0x5f26],
      issuingAuthority: "JAKARTA - AMBASSADE DE FRANCE EN INDONESIE",
      dateOfIssue: "2017-09-05",
      otherPersons: [],
    });
  },
});

Deno.test({
  name: "bdr-test-2008 DG12: no tag list, BCD dates, other person, personalisation",
  fn() {
    const result = parseDg12(readVector("bdr-test-2008/DG12.bin"));
    assert.ok(result.ok);
    const { frontImage, rearImage, ...rest } = result.dg12;
    assert.deepEqual(rest, {
      tagList: [],
      issuingAuthority: "TEST",
      dateOfIssue: "2024-01-01",
      otherPersons: ["William"],
      endorsementsAndObservations: "TEST",
      taxOrExitRequirements: "TEST",
      personalizationDateTime: "2024-01-01T12:30:59",
      personalizationSystemSerialNumber: "123",
    });
    assert.deepEqual([frontImage, rearImage], [new Uint8Array([0]), new Uint8Array([0])]);
  },
});

Deno.test("DG12 failures: wrong tag and truncation", () => {
  const wrong = parseDg12(tlv(0x6b, []));
  assert.equal(wrong.ok ? "ok" : wrong.reason, "dg12_wrong_tag");
  const cut = parseDg12(SYNTHETIC.subarray(0, 12));
  assert.equal(cut.ok ? "ok" : cut.reason, "dg12_malformed");
});

Deno.test("property: random and mutated DG12 bytes never throw", () => {
  assertParserIsTotal(parseDg12, SYNTHETIC, REASONS, { maxRandomLength: 120, maxCut: 30 });
});
