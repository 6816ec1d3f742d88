import assert from "node:assert/strict";
import { readVector } from "../vectors_test_support.ts";
import { type Dg11FailureReason, parseDg11 } from "./dg11.ts";
import { assertParserIsTotal, tlv } from "./tlv_test_support.ts";

const REASONS: ReadonlySet<Dg11FailureReason> = new Set(["dg11_malformed", "dg11_wrong_tag"]);

const SYNTHETIC = tlv(
  0x6b,
  tlv(0x5c, [0x5f, 0x0e, 0x5f, 0x2b, 0x5f, 0x42]),
  tlv(0x5f0e, "SPECIMEN<<ANNA<MARIA"),
  tlv(0x5f2b, "19740812"),
  tlv(0x5f42, "1 MAIN STREET<SPRINGFIELD"),
);

Deno.test("DG11: name split like the MRZ, ASCII date, address lines", () => {
  const result = parseDg11(SYNTHETIC);
  assert.ok(result.ok);
  assert.deepEqual(result.dg11, {
    tagList: [0x5f0e, 0x5f2b, 0x5f42],
    fullName: { primaryIdentifier: "SPECIMEN", secondaryIdentifier: "ANNA MARIA" },
    otherNames: [],
    fullDateOfBirth: "1974-08-12",
    permanentAddress: ["1 MAIN STREET", "SPRINGFIELD"],
  });
});

Deno.test({
  name: "bdr-test-2008 DG11: every synthetic field, BCD date and A0 other names",
  fn() {
    const result = parseDg11(readVector("bdr-test-2008/DG11.bin"));
    assert.ok(result.ok);
    const { proofOfCitizenship, ...rest } = result.dg11;
    assert.deepEqual(rest, {
      tagList: [
        0x5f0e,
        0x5f10,
        0x5f2b,
        0x5f11,
        0x5f42,
        0x5f12,
        0x5f13,
        0x5f14,
        0x5f15,
        0x5f16,
        0x5f18,
        0xa0,
      ],
      fullName: { primaryIdentifier: "Doe John", secondaryIdentifier: "" },
      otherNames: ["William"],
      personalNumber: "123",
      fullDateOfBirth: "1970-01-01",
      placeOfBirth: ["TEST", "TEST"],
      permanentAddress: ["TEST", "TEST"],
      telephone: "123",
      profession: "TEST",
      title: "TEST",
      personalSummary: "TEST",
      otherValidTdNumbers: ["123", "123"],
      custodyInformation: "TEST",
    });
    assert.deepEqual(proofOfCitizenship, new Uint8Array([0]));
  },
});

Deno.test("DG11 failures: wrong tag and truncation", () => {
  const wrong = parseDg11(tlv(0x6c, []));
  assert.equal(wrong.ok ? "ok" : wrong.reason, "dg11_wrong_tag");
  const cut = parseDg11(SYNTHETIC.subarray(0, 20));
  assert.equal(cut.ok ? "ok" : cut.reason, "dg11_malformed");
});

Deno.test("property: random and mutated DG11 bytes never throw", () => {
  assertParserIsTotal(parseDg11, SYNTHETIC, REASONS, { maxRandomLength: 160, maxCut: 40 });
});
