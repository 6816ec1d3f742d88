/**
 * The reader core against the chip emulator: every access protocol × cipher reads every file
 * byte for byte and passes Active and Chip Authentication against the server's own checks.
 */
import assert from "node:assert/strict";
import { ChipReader } from "./mod.ts";
import type { PaceOffer } from "./emulator/mod.ts";
import type { Cipher } from "./crypto.ts";
import { accessKeyFor, emulatedTransportFor } from "../emulated_passport.ts";
import {
  assertActiveAuthentication,
  assertFilesMatch,
  bigPortrait,
  chipAuthenticationVerdict,
  passport,
} from "../chip_test_support.ts";
import type { SyntheticPassportOptions } from "../../verify/mod.ts";

const PORTRAIT = bigPortrait(36_000);

const ACCESS: Array<
  { name: string; pace: (cipher: Cipher) => PaceOffer[]; doc: SyntheticPassportOptions }
> = [
  { name: "BAC", pace: () => [], doc: { ca: { key: "brainpoolP256r1" } } },
  {
    name: "PACE-GM ECDH P-256",
    pace: (cipher) => [{ agreement: "ECDH", parameterId: 12, cipher }],
    doc: { aa: "ec-p256" },
  },
  {
    name: "PACE-GM ECDH brainpoolP256r1",
    pace: (cipher) => [{ agreement: "ECDH", parameterId: 13, cipher }],
    doc: {},
  },
  {
    name: "PACE-GM ECDH brainpoolP384r1",
    pace: (cipher) => [{ agreement: "ECDH", parameterId: 16, cipher }],
    doc: { ca: { key: "P-384" } },
  },
  {
    name: "PACE-GM ECDH brainpoolP512r1",
    pace: (cipher) => [{ agreement: "ECDH", parameterId: 17, cipher }],
    doc: { aa: "ec-brainpoolP384r1" },
  },
  {
    name: "PACE-GM DH",
    pace: (cipher) => [{ agreement: "DH", parameterId: 0, cipher }],
    doc: { ca: { key: "dh" } },
  },
];
const CIPHERS: Cipher[] = ["3DES", "AES-128", "AES-256"];

for (const access of ACCESS) {
  for (const cipher of CIPHERS) {
    Deno.test(`${access.name} × ${cipher}: every file, AA and CA pass the server's checks`, async () => {
      const ca = access.doc.ca === false
        ? undefined
        : { key: "P-256" as const, ...access.doc.ca, cipher };
      const doc = await passport({
        ...access.doc,
        ca,
        portrait: PORTRAIT,
        now: new Date("2026-01-01"),
      });
      const transport = emulatedTransportFor(doc, { pace: access.pace(cipher) });
      const progress: number[] = [];
      const reader = new ChipReader(transport, {
        onProgress: (p) => p.file === "dg2" && progress.push(p.bytesRead),
      });
      const opened = await reader.open(accessKeyFor(doc));
      assert.equal(opened.protocol, access.name === "BAC" ? "BAC" : "PACE");
      assert.equal(opened.cipher, access.name === "BAC" ? "3DES" : cipher);
      const files = await reader.readPassport();
      assertFilesMatch(files, doc);
      assert.equal(progress.at(-1), doc.files.dataGroups.get(2)!.length);
      assert.ok(progress.length > 1 && progress.every((n, i) => i === 0 || n > progress[i - 1]));
      await assertActiveAuthentication(reader, files);
      assert.deepEqual(await chipAuthenticationVerdict(reader, files.dg14!), { ok: true });
      await assert.rejects(reader.readFile("dg1"), { code: "not_open" });
    });
  }
}
