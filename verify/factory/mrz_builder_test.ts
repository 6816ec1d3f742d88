import assert from "node:assert/strict";
import { buildTd1, buildTd3, checkDigit, encodeDg1, type MrzFields } from "./mrz_builder.ts";

const specimen: MrzFields = {
  documentCode: "P",
  issuingState: "UTO",
  primaryIdentifier: "ERIKSSON",
  secondaryIdentifier: "ANNA MARIA",
  documentNumber: "L898902C3",
  nationality: "UTO",
  dateOfBirth: "1974-08-12",
  sex: "F",
  dateOfExpiry: "2012-04-15",
  optionalData: "ZE184226B",
};

Deno.test("TD3 builder reproduces the ICAO 9303 Part 4 specimen exactly", () => {
  assert.equal(
    buildTd3(specimen),
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" + "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
  );
});

Deno.test("TD1 builder reproduces the ICAO 9303 Part 5 specimen exactly", () => {
  const td1 = buildTd1({
    ...specimen,
    documentCode: "I",
    documentNumber: "D23145890",
    optionalData: "",
  });
  assert.equal(
    td1,
    "I<UTOD231458907<<<<<<<<<<<<<<<" + "7408122F1204159UTO<<<<<<<<<<<6" +
      "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
  );
});

Deno.test("check digits, a deliberately broken digit, and the DG1 wrapper", () => {
  assert.equal(checkDigit("L898902C3"), "6");
  assert.equal(checkDigit("740812"), "2");
  const broken = buildTd3(specimen, true);
  assert.equal(broken[44 + 9], "7");
  const dg1 = encodeDg1(buildTd3(specimen));
  assert.deepEqual([...dg1.subarray(0, 5)], [0x61, 0x5b, 0x5f, 0x1f, 0x58]);
  assert.equal(dg1.length, 93);
});
