/**
 * `deno task phone --reader pcsc:<name>` end to end: a test-mode session on a served app, the
 * passport on Debian's vicc behind a private pcscd (tests/support/vicc/virtual_chip.ts), read over BAC by
 * the real command in its own process, uploaded, and accepted by the server's checks (passive
 * authentication against the sandbox CSCA). The vicc passport has no AA or CA, so the
 * organization's policy accepts documents without them; the face check is the test app's
 * accepting verifier (the face engine is proven elsewhere).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createSyntheticPassport } from "../verify/mod.ts";
import { defaultPortrait } from "../verify/factory/portrait.ts";
import { setVerificationPolicy } from "../lib/accounts/verification_policy.ts";
import { createSession, serveApp, setupHandoffApp } from "./support/handoff.ts";
import { startVirtualChip, virtualChipUnavailable } from "./support/vicc/virtual_chip.ts";

const unavailable = virtualChipUnavailable();
if (unavailable) console.warn(`phone_pcsc_vicc_test skipped: ${unavailable}`);
const REPO = new URL("..", import.meta.url).pathname;

function yymmdd(iso: string): string {
  return iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

Deno.test({
  name: "phone --reader pcsc × vicc: a session with a passport on a reader succeeds",
  ignore: unavailable !== undefined,
  async fn() {
    const t = await setupHandoffApp();
    const server = serveApp(t);
    const dir = await Deno.makeTempDir({ prefix: "kayle-vicc-phone-" });
    let chip: Awaited<ReturnType<typeof startVirtualChip>> | undefined;
    try {
      await setVerificationPolicy(t.deps.kv, t.orgId, {
        allowWithoutAntiCloning: true,
        by: "test",
        at: new Date(),
      });
      const passport = await createSyntheticPassport({ aa: false, ca: false });
      await Deno.writeFile(join(dir, "EF_SOD.bin"), passport.files.sod);
      for (const [dg, bytes] of passport.files.dataGroups) {
        await Deno.writeFile(join(dir, `DG${dg}.bin`), bytes);
      }
      await Deno.writeFile(join(dir, "selfie.jpg"), defaultPortrait());
      chip = await startVirtualChip(dir);
      const { id, verificationUrl } = await createSession(t);
      const mrz = passport.mrzFields;
      const output = await new Deno.Command(Deno.execPath(), {
        args: [
          "task",
          "-q",
          "phone",
          verificationUrl,
          "--reader",
          `pcsc:${chip.readerName}`,
          "--document-number",
          mrz.documentNumber,
          "--date-of-birth",
          yymmdd(mrz.dateOfBirth),
          "--date-of-expiry",
          yymmdd(mrz.dateOfExpiry),
          "--selfie",
          join(dir, "selfie.jpg"),
          "--json",
        ],
        cwd: REPO,
        env: chip.env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const stdout = new TextDecoder().decode(output.stdout);
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stdout + stderr + chip.logs());
      const result = JSON.parse(stdout);
      assert.equal(result.sessionId, id);
      assert.deepEqual([result.status, result.failureCode], ["succeeded", null], stdout);
      assert.match(stderr, /reading dg2: \d+ of \d+ bytes/);
      for (const personal of [mrz.documentNumber, mrz.primaryIdentifier]) {
        assert.ok(!(stdout + stderr).includes(personal), "the phone printed personal data");
      }
    } finally {
      await chip?.stop();
      await server.close();
      await t.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
