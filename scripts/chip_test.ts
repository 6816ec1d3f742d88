import assert from "node:assert/strict";
import { accessKeyFrom, FOLDER_FILE_NAMES, runChipCli, writeChipFolder } from "./chip.ts";

const SCRIPT = new URL("./chip.ts", import.meta.url).pathname;
const KEY = ["--document-number", "L898902C3", "--date-of-birth", "740812"];

async function runCli(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-ffi", "--allow-env", "--allow-read", "--allow-write", SCRIPT, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

Deno.test("chip read: usage errors exit 2 and name the option", async () => {
  const cases: Array<[string[], RegExp]> = [
    [["read", "--out", "x", ...KEY, "--date-of-expiry", "311205"], /--reader/],
    [["read", "--reader", "pcsc", ...KEY, "--date-of-expiry", "311205"], /--out/],
    [["read", "--reader", "pcsc", "--out", "x", ...KEY], /--date-of-expiry/],
    [["read", "--reader", "pcsc", "--out", "x", ...KEY, "--date-of-expiry", "311305"], /YYMMDD/],
    [["read", "--reader", "pcsc", "--out", "x", "--can", "12ab56"], /--can/],
    [["read", "--reader", "pcsc", "--out", "x", "--bogus"], /bogus/],
    [["scan"], /unknown command scan/],
  ];
  for (const [argv, message] of cases) {
    let printed = "";
    const code = await runChipCli(argv, () => {}, (text) => printed += text);
    assert.equal(code, 2, argv.join(" "));
    assert.match(printed, message);
    assert.match(printed, /usage:/);
  }
});

Deno.test("chip read: the CAN wins over the MRZ; the document number is upper-cased", () => {
  assert.deepEqual(accessKeyFrom({ can: "123456", "document-number": "X" }), {
    kind: "can",
    can: "123456",
  });
  assert.deepEqual(
    accessKeyFrom({
      "document-number": "l898902c3",
      "date-of-birth": "740812",
      "date-of-expiry": "120415",
    }),
    { kind: "mrz", documentNumber: "L898902C3", dateOfBirth: "740812", dateOfExpiry: "120415" },
  );
});

Deno.test("chip read: files are written 0600 in a 0700 folder, by document verify's names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const folder = `${dir}/passport`;
    const written = await writeChipFolder(folder, {
      sod: Uint8Array.of(0x77),
      dg1: Uint8Array.of(0x61),
      com: Uint8Array.of(0x60),
    });
    assert.deepEqual(written.sort(), ["DG1.bin", "EF_COM.bin", "EF_SOD.bin"]);
    assert.equal((await Deno.stat(folder)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${folder}/DG1.bin`)).mode! & 0o777, 0o600);
    assert.deepEqual(await Deno.readFile(`${folder}/EF_SOD.bin`), Uint8Array.of(0x77));
    assert.equal(FOLDER_FILE_NAMES.dg15, "DG15.bin");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("chip read: a missing PC/SC library and a missing pcscd exit 1 with their codes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const args = ["read", "--reader", "pcsc", "--out", `${dir}/out`, ...KEY];
    const expiry = ["--date-of-expiry", "311205", "--wait", "0"];
    const noLibrary = await runCli([...args, ...expiry], {
      KAYLE_PCSC_LIBRARY: `${dir}/libpcsclite.so.1`,
    });
    assert.equal(noLibrary.code, 1, noLibrary.stderr);
    assert.match(noLibrary.stderr, /^pcsc_library_missing: .*apt-get install libpcsclite1 pcscd/m);

    const noService = await runCli([...args, ...expiry], {
      PCSCLITE_CSOCK_NAME: `${dir}/pcscd.comm`,
    });
    if (/pcsc_library_missing/.test(noService.stderr)) return; // no libpcsclite on this machine
    assert.equal(noService.code, 1, noService.stderr);
    assert.match(noService.stderr, /^pcsc_service_unavailable: .*pcscd/m);
    assert.ok(!noService.stderr.includes("L898902C3"), "printed the document number");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
