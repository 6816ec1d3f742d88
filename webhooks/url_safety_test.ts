import assert from "node:assert/strict";
import { checkWebhookUrl, isBlockedAddress, parseIpv6 } from "./url_safety.ts";
import { checkDestination, defaultSenderOptions, type SenderOptions } from "./sender.ts";

Deno.test("blocked and allowed addresses", () => {
  const blocked = [
    "0.0.0.0",
    "10.0.0.1",
    "100.64.1.1",
    "100.127.255.255",
    "127.0.0.1",
    "127.255.0.9",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "192.0.2.5",
    "198.18.0.1",
    "224.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "fc00::1",
    "fd00:ec2::254",
    "fe80::1",
    "ff02::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:a9fe:a9fe::1",
    "2001:db8::1",
    "[::1]",
    "not-an-ip",
  ];
  const allowed = [
    "8.8.8.8",
    "1.1.1.1",
    "100.128.0.1",
    "172.32.0.1",
    "192.169.0.1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
  ];
  for (const a of blocked) assert.equal(isBlockedAddress(a), true, a);
  for (const a of allowed) assert.equal(isBlockedAddress(a), false, a);
});

Deno.test("IPv6 parsing handles compression and embedded IPv4, refuses malformed text", () => {
  assert.deepEqual(parseIpv6("::1"), [...new Array(15).fill(0), 1]);
  assert.deepEqual(parseIpv6("::ffff:1.2.3.4")?.slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  for (const bad of ["1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "1.2.3.4"]) {
    assert.equal(parseIpv6(bad), null, bad);
  }
});

Deno.test("registration rules depend on development mode", () => {
  assert.equal(checkWebhookUrl("http://[::1]:8080/x", true).ok, true);
  assert.equal(checkWebhookUrl("http://[::1]:8080/x", false).ok, false);
  const meta = checkWebhookUrl("https://instance-data.ec2.internal/", true);
  assert.equal(meta.ok ? "" : meta.code, "WEBHOOK_URL_BLOCKED");
  assert.equal(checkWebhookUrl("https://hooks.example.com/", false).ok, true);
});

function withDns(records: Record<string, string[]>, devMode = false): SenderOptions {
  return {
    ...defaultSenderOptions(devMode),
    resolveDns: (host, type) => {
      if (records[host]?.includes(`${type} fails`)) return Promise.reject(new Error("SERVFAIL"));
      const found = (records[host] ?? []).filter((a) => (type === "A") === !a.includes(":"));
      return found.length
        ? Promise.resolve(found)
        : Promise.reject(new Deno.errors.NotFound("no records found"));
    },
  };
}

Deno.test("send time: names are re-checked after DNS resolution", async () => {
  const dns = withDns({
    "public.example": ["93.184.216.34"],
    "rebound.example": ["93.184.216.34", "169.254.169.254"],
    "v6.example": ["fd00::5"],
    "v6-only.example": ["2606:2800:220:1::248"],
    "flaky.example": ["A fails", "2606:2800:220:1::248"],
  });
  assert.equal(await checkDestination("https://public.example/h", dns), null);
  assert.equal(await checkDestination("https://rebound.example/h", dns), "blocked_address");
  assert.equal(await checkDestination("https://v6.example/h", dns), "blocked_address");
  assert.equal(await checkDestination("https://missing.example/h", dns), "dns_error");
  assert.equal(await checkDestination("https://v6-only.example/h", dns), null);
  // The A lookup failed: fetch could find an A record this check never saw.
  assert.equal(await checkDestination("https://flaky.example/h", dns), "dns_error");
  assert.equal(await checkDestination("https://10.0.0.1/h", dns), "blocked_address");
  assert.equal(await checkDestination("http://public.example/h", dns), "invalid_url");
  assert.equal(await checkDestination("http://127.0.0.1:1/h", withDns({}, true)), null);
});
