import assert from "node:assert/strict";
import fc from "npm:fast-check@4.10.2";
import type { ParsedMrz } from "../mrz/mrz.ts";
import { ageAt, buildClaims } from "./build.ts";
import { ClaimError, deriveOrgClaimKeys } from "./keys.ts";

const SERVER_KEY = new Uint8Array(32).fill(7);
const AT = new Date("2026-03-10T12:00:00Z");

const MRZ: ParsedMrz = {
  format: "TD3",
  documentCode: "P",
  issuingCountryCode: "DEU",
  documentNumber: "C11T002JM",
  nationalityCode: "DEU",
  dateOfBirth: "2008-03-10",
  sex: "F",
  dateOfExpiry: "2031-10-31",
  primaryIdentifier: "MUSTERMANN",
  secondaryIdentifier: "ERIKA",
  optionalData: "",
};

async function webCryptoHmacHex(key: Uint8Array, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(message));
  return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function webCryptoHkdf(info: string): Promise<Uint8Array> {
  const ikm = await crypto.subtle.importKey("raw", SERVER_KEY, "HKDF", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new TextEncoder().encode("kayle-id/org-claim-keys/v1"),
      info: new TextEncoder().encode(info),
    },
    ikm,
    256,
  );
  return new Uint8Array(bits);
}

Deno.test("org keys are HKDF-SHA256 with distinct infos, and differ between organizations", async () => {
  const keys = deriveOrgClaimKeys(SERVER_KEY, "org_a");
  assert.deepEqual(keys.documentIdKey, await webCryptoHkdf("kayle_document_id/v1/org_a"));
  assert.deepEqual(keys.humanIdKey, await webCryptoHkdf("kayle_human_id/v1/org_a"));
  assert.notDeepEqual(keys.documentIdKey, keys.humanIdKey);
  const other = deriveOrgClaimKeys(SERVER_KEY, "org_b");
  assert.notDeepEqual(other.documentIdKey, keys.documentIdKey);
  assert.throws(() => deriveOrgClaimKeys(new Uint8Array(8), "org_a"), ClaimError);
  assert.throws(() => deriveOrgClaimKeys(SERVER_KEY, ""), ClaimError);
});

Deno.test("derived ids are HMACs over the documented inputs", async () => {
  const keys = deriveOrgClaimKeys(SERVER_KEY, "org_a");
  const claims = buildClaims({
    mrz: MRZ,
    at: AT,
    selectedKeys: ["kayle_human_id", "kayle_document_id"],
    keys,
  });
  assert.deepEqual(Object.keys(claims), ["kayle_document_id", "kayle_human_id"]);
  const documentHex = await webCryptoHmacHex(keys.documentIdKey, "DEU|P|C11T002JM");
  const humanHex = await webCryptoHmacHex(keys.humanIdKey, "MUSTERMANN|ERIKA|2008-03-10|DEU");
  assert.equal(claims.kayle_document_id, `kdid_${documentHex}`);
  assert.equal(claims.kayle_human_id, `khid_${humanHex}`);
  assert.match(String(claims.kayle_document_id), /^kdid_[0-9a-f]{64}$/);
});

Deno.test("the human id survives a renewed document; the document id does not", () => {
  const keys = deriveOrgClaimKeys(SERVER_KEY, "org_a");
  const renewed = { ...MRZ, documentNumber: "C22X004KL", secondaryIdentifier: "ERIKA " };
  const select = ["kayle_document_id", "kayle_human_id"];
  const before = buildClaims({ mrz: MRZ, at: AT, selectedKeys: select, keys });
  const after = buildClaims({ mrz: renewed, at: AT, selectedKeys: select, keys });
  assert.equal(after.kayle_human_id, before.kayle_human_id);
  assert.notEqual(after.kayle_document_id, before.kayle_document_id);
});

Deno.test("only selected claims are produced, with MRZ values and age gates at `at`", () => {
  const keys = deriveOrgClaimKeys(SERVER_KEY, "org_a");
  const claims = buildClaims({
    mrz: MRZ,
    at: AT,
    selectedKeys: ["age_over_18", "family_name", "sex_marker", "document_expiry_date"],
    keys,
  });
  assert.deepEqual(claims, {
    family_name: "MUSTERMANN",
    sex_marker: "F",
    document_expiry_date: "2031-10-31",
    age_over_18: true, // the 18th birthday is the verification day itself
  });
  const dayBefore = new Date("2026-03-09T23:59:59Z");
  assert.deepEqual(buildClaims({ mrz: MRZ, at: dayBefore, selectedKeys: ["age_over_18"], keys }), {
    age_over_18: false,
  });
  assert.throws(
    () => buildClaims({ mrz: MRZ, at: AT, selectedKeys: ["email"], keys }),
    (error) => error instanceof ClaimError && error.code === "unknown_claim_key",
  );
});

Deno.test("29 February birthdays are reached on 1 March in non-leap years", () => {
  assert.equal(ageAt("2008-02-29", new Date("2026-02-28T23:00:00Z")), 17);
  assert.equal(ageAt("2008-02-29", new Date("2026-03-01T00:00:00Z")), 18);
  assert.equal(ageAt("2008-02-29", new Date("2028-02-29T00:00:00Z")), 20);
  assert.equal(ageAt("2008-02-29", new Date("2028-02-28T00:00:00Z")), 19);
});

/** Reference: the age is the largest n such that the n-th birthday (29 Feb → 1 Mar) is ≤ today. */
function referenceAge(birth: Date, at: Date): number {
  let age = 0;
  while (true) {
    const year = birth.getUTCFullYear() + age + 1;
    let anniversary = Date.UTC(year, birth.getUTCMonth(), birth.getUTCDate());
    if (new Date(anniversary).getUTCMonth() !== birth.getUTCMonth()) {
      anniversary = Date.UTC(year, 2, 1); // 29 Feb in a non-leap year rolls to 1 March
    }
    const today = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
    if (anniversary > today) return age;
    age++;
  }
}

Deno.test("property: ageAt agrees with counting birthdays one by one", () => {
  const day = 86_400_000;
  fc.assert(
    fc.property(
      fc.integer({ min: Date.UTC(1900, 0, 1) / day, max: Date.UTC(2030, 0, 1) / day }),
      fc.integer({ min: 0, max: 130 * 366 }),
      (birthDay, offset) => {
        const birth = new Date(birthDay * day);
        const at = new Date((birthDay + offset) * day + 43_200_000);
        const iso = birth.toISOString().slice(0, 10);
        return ageAt(iso, at) === referenceAge(birth, at);
      },
    ),
    { numRuns: 2_000 },
  );
});
