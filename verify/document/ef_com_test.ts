import assert from "node:assert/strict";
import { readVector } from "../vectors_test_support.ts";
import { type EfComFailureReason, parseEfCom } from "./ef_com.ts";
import { assertParserIsTotal, tlv } from "./tlv_test_support.ts";

const REASONS: ReadonlySet<EfComFailureReason> = new Set([
  "ef_com_malformed",
  "ef_com_wrong_tag",
  "ef_com_tag_list_missing",
]);

const SYNTHETIC = tlv(
  0x60,
  tlv(0x5f01, "0108"),
  tlv(0x5f36, "060000"),
  tlv(0x5c, [0x61, 0x75, 0x6f, 0x99]),
);

Deno.test("EF.COM: versions dotted, tags mapped to data groups (unknown tags left out)", () => {
  const result = parseEfCom(SYNTHETIC);
  assert.ok(result.ok);
  assert.deepEqual(result.efCom, {
    ldsVersion: "1.8",
    unicodeVersion: "6.0.0",
    tags: [0x61, 0x75, 0x6f, 0x99],
    dataGroups: [1, 2, 15],
  });
});

Deno.test({
  name: "BSI and BDR EF.COM: LDS 1.7, Unicode 4.0.0 and their data groups",
  fn() {
    const bsi = parseEfCom(readVector("bsi-tr03105-5/EF_COM.bin"));
    assert.ok(bsi.ok);
    assert.deepEqual(bsi.efCom, {
      ldsVersion: "1.7",
      unicodeVersion: "4.0.0",
      tags: [0x61, 0x75, 0x63, 0x76, 0x6e],
      dataGroups: [1, 2, 3, 4, 14],
    });
    const bdr = parseEfCom(readVector("bdr-test-2008/EF_COM.bin"));
    assert.ok(bdr.ok);
    assert.deepEqual(bdr.efCom.dataGroups, [1, 2, 3, 14]);
  },
});

Deno.test("EF.COM failures: wrong tag, missing tag list, truncation", () => {
  const reasonOf = (bytes: Uint8Array) => {
    const result = parseEfCom(bytes);
    return result.ok ? "ok" : result.reason;
  };
  assert.equal(reasonOf(tlv(0x61, [])), "ef_com_wrong_tag");
  assert.equal(reasonOf(tlv(0x60, tlv(0x5f01, "0107"))), "ef_com_tag_list_missing");
  assert.equal(reasonOf(SYNTHETIC.subarray(0, 9)), "ef_com_malformed");
});

Deno.test("property: random and mutated EF.COM bytes never throw", () => {
  assertParserIsTotal(parseEfCom, SYNTHETIC, REASONS, { maxRandomLength: 60, maxCut: 10 });
});
