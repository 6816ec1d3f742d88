/** `deno task phone --reader pcsc…`: the real-passport options, checked before any reader is used. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { readSelfieFrames, runPhoneCli } from "../scripts/phone.ts";
import { selfieFramesFromFiles } from "../phone/mod.ts";

const URL_ = `http://127.0.0.1:9/verify/vs_${"a1".repeat(32)}`;
const KEY = [
  "--document-number",
  "L898902C3",
  "--date-of-birth",
  "740812",
  "--date-of-expiry",
  "311205",
];
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xd9);

Deno.test("phone --reader: missing selfie, bad frames, bad key are usage errors before the reader", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(join(dir, "me.jpg"), JPEG);
    await Deno.writeFile(join(dir, "left.jpg"), JPEG);
    await Deno.writeTextFile(join(dir, "note.txt"), "not a photo");
    const cases: Array<[string[], RegExp]> = [
      [["--reader", "pcsc", ...KEY], /--selfie <jpeg> is required/],
      [["--reader", "pcsc", ...KEY, "--selfie", join(dir, "note.txt")], /not a JPEG/],
      [["--reader", "pcsc", ...KEY, "--selfie", join(dir, "gone.jpg")], /cannot read/],
      [[
        "--reader",
        "pcsc",
        ...KEY,
        "--selfie",
        join(dir, "me.jpg"),
        "--frames",
        join(dir, "left.jpg"),
      ], /expected <pose>=<jpeg>/],
      [["--reader", "pcsc", ...KEY.slice(0, 4), "--selfie", join(dir, "me.jpg")], /expiry/],
    ];
    for (const [argv, message] of cases) {
      await assert.rejects(() => runPhoneCli([URL_, ...argv]), (error: unknown) => {
        assert.ok(error instanceof TypeError, String(error));
        assert.match(error.message, message);
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("phone --reader: each pose of the challenge gets its frame, the selfie otherwise", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const centre = Uint8Array.of(0xff, 0xd8, 1);
    const left = Uint8Array.of(0xff, 0xd8, 2);
    await Deno.writeFile(join(dir, "me.jpg"), centre);
    await Deno.writeFile(join(dir, "left=side.jpg"), left);
    const frames = await readSelfieFrames(join(dir, "me.jpg"), [
      `left=${join(dir, "left=side.jpg")}`,
    ]);
    const chosen = selfieFramesFromFiles(
      frames,
      {
        poses: ["centre", "right", "left"],
        nonce: "n",
      } as Parameters<typeof selfieFramesFromFiles>[1],
    );
    assert.deepEqual(chosen, [centre, centre, left]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
