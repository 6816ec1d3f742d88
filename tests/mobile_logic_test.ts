/**
 * The phone app's plain logic (mobile/src/logic): MRZ entry validation as the user types (ICAO
 * 9303-3 check digits, dates, expiry), the handoff link allow-list, configuration from app.json,
 * and the base64 / SHA-256 helpers of its protocol client.
 */
import assert from "node:assert/strict";
import {
  configFromExtra,
  fromBase64,
  LinkError,
  parseHandoffLink,
  parseShortLink,
  sha256Hex,
  toBase64,
  validateDateOfBirth,
  validateDateOfExpiry,
  validateDocumentNumber,
  validateMrzEntry,
} from "../mobile/src/logic/mod.ts";

const NOW = new Date("2026-05-05T10:00:00Z");

Deno.test("MRZ entry: ICAO 9303 specimen check digits, and states while typing", () => {
  // ICAO 9303-3 specimen: L898902C3 → 6, 740812 → 2, 120415 → 9.
  const number = validateDocumentNumber("l898 902c3", "6");
  assert.deepEqual(number, {
    state: "valid",
    value: "L898902C3",
    checkDigit: "6",
  });
  assert.equal(validateDocumentNumber("L898902C3", "5").state, "invalid");
  assert.equal(validateDocumentNumber("").state, "incomplete");
  assert.equal(validateDocumentNumber("L89-89").state, "invalid");
  assert.equal(validateDocumentNumber("ABCDEFGHIJ").state, "invalid");
  const birth = validateDateOfBirth("12.08.1974", NOW, "2");
  assert.deepEqual(birth, { state: "valid", value: "740812", checkDigit: "2" });
  assert.equal(validateDateOfBirth("740812", NOW).state, "valid");
  assert.equal(validateDateOfBirth("12.08", NOW).state, "incomplete");
  assert.equal(validateDateOfBirth("31.02.1990", NOW).state, "invalid");
  assert.equal(validateDateOfBirth("01.01.2030", NOW).state, "invalid");
  assert.equal(validateDateOfBirth("12.08.1974", NOW, "3").state, "invalid");
  const expiry = validateDateOfExpiry("2031-04-15", NOW);
  assert.equal(expiry.state, "valid");
  const expired = validateDateOfExpiry("15.04.2012", NOW, "9");
  assert.equal(expired.state, "invalid");
  assert.equal(expired.state === "invalid" && expired.code, "document_expired");
  assert.equal(validateDateOfExpiry("abc", NOW).state, "invalid");
  const all = validateMrzEntry(
    {
      documentNumber: "L898902C3",
      dateOfBirth: "740812",
      dateOfExpiry: "310415",
    },
    NOW,
  );
  assert.deepEqual(all.key, {
    kind: "mrz",
    documentNumber: "L898902C3",
    dateOfBirth: "740812",
    dateOfExpiry: "310415",
  });
  assert.equal(
    validateMrzEntry({
      documentNumber: "L898902C3",
      dateOfBirth: "74",
      dateOfExpiry: "",
    }, NOW)
      .key,
    null,
  );
});

const SESSION = `vs_${"a".repeat(64)}`;
const TOKEN = "0f".repeat(32);
const WSS = `wss://id.example.com/v1/verify/session/${SESSION}/mobile`;
const allowed = { allowedServers: ["https://id.example.com"] };

function refused(input: string, code: string, config = allowed) {
  assert.throws(
    () => parseHandoffLink(input, config),
    (e: unknown) => e instanceof LinkError && e.code === code,
    `${input} → ${code}`,
  );
}

Deno.test("handoff links: only configured servers, same origin, encrypted", () => {
  const query = `v=1&session_id=${SESSION}&token=${TOKEN}&mobile_url=${encodeURIComponent(WSS)}`;
  const expected = {
    baseUrl: "https://id.example.com",
    sessionId: SESSION,
    token: TOKEN,
    mobileUrl: WSS,
  };
  assert.deepEqual(
    parseHandoffLink(`kayleid://verify?${query}`, allowed),
    expected,
  );
  assert.deepEqual(
    parseHandoffLink(
      `https://id.example.com/verify/${SESSION}/phone#${query}`,
      allowed,
    ),
    expected,
  );
  // A credential in the fragment of another page of the server: the socket is on that origin.
  assert.deepEqual(
    parseHandoffLink(
      `https://id.example.com/p#session_id=${SESSION}&token=${TOKEN}`,
      allowed,
    ),
    expected,
  );
  refused(`kayleid://verify?${query}`, "server_not_allowed", {
    allowedServers: [],
  });
  refused(
    `kayleid://verify?${query.replace("id.example.com", "evil.example")}`,
    "server_not_allowed",
  );
  refused(
    `https://evil.example/verify/${SESSION}/phone#${query}`,
    "server_mismatch",
  );
  refused(
    `kayleid://verify?${query.replace("wss%3A", "ws%3A")}`,
    "insecure_connection",
  );
  refused(
    `https://id.example.com/verify/${SESSION}?cancel_token=x`,
    "not_a_handoff_link",
  );
  refused("hello", "link_invalid");
  refused(`kayleid://verify?${query.replace(TOKEN, "short")}`, "link_invalid");
  refused(`kayleid://verify?${query.replace("v=1", "v=2")}`, "link_invalid");
  refused(
    `kayleid://verify?${query.replace("mobile", "other")}`,
    "link_invalid",
  );
});

Deno.test("app config from app.json extra: origins normalised, bad entries dropped", () => {
  const config = configFromExtra(
    {
      kayle: {
        appName: "Acme ID",
        allowedServers: ["https://ID.example.com/", "ftp://x", 3, "not a url"],
        storeUrls: { ios: "https://apps.example/acme" },
      },
    },
    "kayle-mobile/0.1.0",
  );
  assert.equal(config.appName, "Acme ID");
  assert.deepEqual(config.allowedServers, ["https://id.example.com"]);
  assert.equal(config.storeUrls?.ios, "https://apps.example/acme");
  assert.deepEqual(configFromExtra(undefined, "v").allowedServers, []);
  assert.equal(configFromExtra(undefined, "v").appName, "Kayle ID");
});

Deno.test("protocol bytes: base64 and SHA-256 match the platform's", async () => {
  for (const length of [0, 1, 2, 3, 4, 5, 255, 1000]) {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    const expected = btoa(String.fromCharCode(...bytes));
    assert.equal(toBase64(bytes), expected);
    assert.deepEqual(fromBase64(expected), bytes);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    assert.equal(
      sha256Hex(bytes),
      Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
    );
  }
  assert.throws(() => fromBase64("a$b="), TypeError);
});

Deno.test("short links: the /h code of a configured server, refused elsewhere before any request", () => {
  const code = "q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k";
  assert.deepEqual(
    parseShortLink(`https://id.example.com/h#${code}`, allowed),
    {
      baseUrl: "https://id.example.com",
      code,
    },
  );
  assert.deepEqual(
    parseShortLink(`https://id.example.com/kayle/h#${code}`, {
      allowedServers: ["https://id.example.com"],
    }),
    { baseUrl: "https://id.example.com/kayle", code },
  );
  // Not a short link: left to the full-link parser.
  assert.equal(
    parseShortLink(`https://id.example.com/h#${code}x`, allowed),
    null,
  );
  assert.equal(
    parseShortLink(`https://id.example.com/x#${code}`, allowed),
    null,
  );
  assert.equal(
    parseShortLink(`kayleid://verify?token=${TOKEN}`, allowed),
    null,
  );
  assert.equal(parseShortLink("hello", allowed), null);
  const refusedShort = (input: string, code: string) =>
    assert.throws(
      () => parseShortLink(input, allowed),
      (e: unknown) => e instanceof LinkError && e.code === code,
    );
  refusedShort(`https://evil.example/h#${code}`, "server_not_allowed");
  refusedShort(`http://id.example.com/h#${code}`, "insecure_connection");
});
