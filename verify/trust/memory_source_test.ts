import assert from "node:assert/strict";
import { parseCertificate } from "../asn1/mod.ts";
import { readVector } from "../vectors_test_support.ts";
import { createMemoryTrustSource, EMPTY_TRUST_SOURCE } from "./mod.ts";

Deno.test({
  name: "memory source: holds exactly the given anchors (sandbox isolation), deduplicated",
  async fn() {
    const uk = readVector("gmrtd-real/UK/CSCA.der");
    const source = await createMemoryTrustSource({ cscas: [uk, uk], source: "sandbox" });
    const ukCert = parseCertificate(uk);
    const found = await source.findCscas({ skiHex: ukCert.skiHex });
    assert.equal(found.length, 1);
    assert.equal(found[0].source, "sandbox");
    assert.equal((await source.findCscas({ country: "GB" })).length, 1);
    assert.equal((await source.findCscas({ country: "DE" })).length, 0);
    const de = parseCertificate(readVector("gmrtd-real/DE/CSCA.der"));
    assert.equal((await source.findCscas({ skiHex: de.skiHex })).length, 0);
    assert.equal((await source.findCscas({ issuerName: de.subject.key })).length, 0);
    assert.equal((await source.findCscas({})).length, 0);
    assert.equal((await EMPTY_TRUST_SOURCE.findCscas({ country: "GB" })).length, 0);
  },
});

Deno.test("memory source: garbage input is refused rather than silently trusted", async () => {
  await assert.rejects(createMemoryTrustSource({ cscas: [new Uint8Array([0x30, 0x01, 0x00])] }));
});
