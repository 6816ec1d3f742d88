import assert from "node:assert/strict";
import { parsePhoneLink } from "./links.ts";

const id = `vs_${"a1".repeat(32)}`;

Deno.test("parsePhoneLink: verification URL, with and without a path prefix", () => {
  assert.deepEqual(parsePhoneLink(`https://id.example.com/verify/${id}?cancel_token=x`), {
    baseUrl: "https://id.example.com",
    sessionId: id,
  });
  assert.deepEqual(parsePhoneLink(`http://127.0.0.1:8787/kayle/verify/${id}`), {
    baseUrl: "http://127.0.0.1:8787/kayle",
    sessionId: id,
  });
});

Deno.test("parsePhoneLink: the custom-scheme and https deep links carry the credential", () => {
  const query = new URLSearchParams({
    v: "1",
    session_id: id,
    token: "tok",
    mobile_url: `wss://id.example.com/v1/verify/session/${id}/mobile`,
  });
  const expected = {
    baseUrl: "https://id.example.com",
    sessionId: id,
    token: "tok",
    mobileUrl: `wss://id.example.com/v1/verify/session/${id}/mobile`,
  };
  assert.deepEqual(parsePhoneLink(`kayleid://verify?${query}`), expected);
  assert.deepEqual(parsePhoneLink(`https://id.example.com/verify/${id}/phone#${query}`), expected);
});

Deno.test("parsePhoneLink: anything else is a TypeError", () => {
  assert.throws(() => parsePhoneLink("not a url"), TypeError);
  assert.throws(() => parsePhoneLink("https://example.com/verify/vs_short"), TypeError);
  assert.throws(() => parsePhoneLink("kayleid://verify?session_id=x"), TypeError);
});
