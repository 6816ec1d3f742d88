import assert from "node:assert/strict";
import { PcscError, pcscErrorFor, SCARD, scardName, toReturnCode } from "./errors.ts";
import { ioRequest, loadPcscLibrary, parseMultiString, pcscAbi, readWord } from "./ffi.ts";
import { parseReaderSpec } from "./transport.ts";

Deno.test("pcsc: a library that cannot be loaded is pcsc_library_missing, naming the package", () => {
  let caught: unknown;
  try {
    loadPcscLibrary("/nonexistent/libpcsclite.so.1");
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof PcscError, String(caught));
  assert.equal(caught.code, "pcsc_library_missing");
  assert.match(caught.message, /\/nonexistent\/libpcsclite\.so\.1/);
  assert.match(caught.message, /apt-get install libpcsclite1 pcscd/);
});

Deno.test("pcsc: each return code a person meets maps to its code and an actionable sentence", () => {
  const cases: Array<[number, string, RegExp]> = [
    [SCARD.E_NO_SERVICE, "pcsc_service_unavailable", /pcscd.*not running.*systemctl start/],
    [SCARD.E_SERVICE_STOPPED, "pcsc_service_unavailable", /pcscd/],
    [SCARD.E_NO_READERS_AVAILABLE, "pcsc_no_readers", /plug in/],
    [SCARD.E_UNKNOWN_READER, "pcsc_reader_not_found", /reconnect it/],
    [SCARD.E_NO_SMARTCARD, "pcsc_no_card", /place the passport/],
    [SCARD.E_SHARING_VIOLATION, "pcsc_reader_busy", /another program/],
    [SCARD.W_UNSUPPORTED_CARD, "pcsc_card_unsupported", /T=0 or T=1/],
    [SCARD.W_REMOVED_CARD, "tag_lost", /hold it still/],
    [SCARD.W_RESET_CARD, "tag_lost", /hold it still/],
    [SCARD.F_COMM_ERROR, "tag_lost", /hold it still/],
    [SCARD.E_TIMEOUT, "timeout", /did not answer in time/],
    [SCARD.E_INVALID_HANDLE, "pcsc_closed", /closed/],
    [0x80100099, "pcsc_error", /0x80100099/],
  ];
  for (const [rv, code, message] of cases) {
    const error = pcscErrorFor(rv, "SCardTransmit", "ACS ACR122U");
    assert.equal(error.code, code, scardName(rv));
    assert.equal(error.returnCode, rv);
    assert.match(error.message, message);
    assert.ok(error.message.startsWith(`${code}: `));
    assert.ok(error.message.includes("SCardTransmit"));
  }
  assert.equal(scardName(SCARD.W_REMOVED_CARD), "SCARD_W_REMOVED_CARD");
});

Deno.test("pcsc: LONG return codes are read alike whether 64-bit, sign-extended or bigint", () => {
  assert.equal(toReturnCode(0x8010001d), SCARD.E_NO_SERVICE);
  assert.equal(toReturnCode(-2146435043), SCARD.E_NO_SERVICE); // 0x8010001D as int32
  assert.equal(toReturnCode(0xffffffff8010001dn), SCARD.E_NO_SERVICE);
  assert.equal(toReturnCode(0n), SCARD.S_SUCCESS);
});

Deno.test("pcsc: --reader values: pcsc, pcsc:<name>, anything else is refused", () => {
  assert.deepEqual(parseReaderSpec("pcsc"), {});
  assert.deepEqual(parseReaderSpec("pcsc:ACR122"), { nameContains: "ACR122" });
  for (const bad of ["pcsc:", "usb", "PCSC", ""]) {
    assert.throws(
      () => parseReaderSpec(bad),
      (e: unknown) => e instanceof PcscError && e.code === "pcsc_reader_not_found",
    );
  }
});

Deno.test("pcsc: the ABI's structures: reader multi-strings, SCARD_IO_REQUEST, words", () => {
  const names = new TextEncoder().encode("ACS ACR122U 00 00\0Virtual PCD 00 01\0\0");
  assert.deepEqual(parseMultiString(names), ["ACS ACR122U 00 00", "Virtual PCD 00 01"]);
  assert.deepEqual(parseMultiString(new Uint8Array([0])), []);
  assert.deepEqual([...ioRequest(2, 8)], [2, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual([...ioRequest(1, 4)], [1, 0, 0, 0, 8, 0, 0, 0]);
  assert.equal(readWord(Uint8Array.of(0x2a, 0, 0, 0, 0, 0, 0, 0), 8), 42);
  assert.equal(
    readWord(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 8),
    2n ** 64n - 1n,
  );
  assert.deepEqual(pcscAbi("linux"), { library: "libpcsclite.so.1", word: 8 });
  assert.equal(pcscAbi("darwin").word, 4);
});

function libraryLoads(): boolean {
  try {
    loadPcscLibrary().close();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "pcsc: no pcscd behind the socket → pcsc_service_unavailable from SCardEstablishContext",
  ignore: !libraryLoads(),
  async fn() {
    // A process of its own: libpcsclite reads PCSCLITE_CSOCK_NAME once per process.
    const module = new URL("./mod.ts", import.meta.url).href;
    const code = `import { PcscContext } from "${module}";
      try { PcscContext.establish(); console.log("established"); }
      catch (e) { console.log(JSON.stringify({ code: e.code, rv: e.returnCode, message: e.message })); }`;
    const dir = await Deno.makeTempDir();
    try {
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--ext=ts", code],
        env: { PCSCLITE_CSOCK_NAME: `${dir}/no-pcscd.comm` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(output.stdout);
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      const result = JSON.parse(text);
      assert.equal(result.code, "pcsc_service_unavailable");
      assert.equal(result.rv, SCARD.E_NO_SERVICE);
      assert.match(result.message, /pcscd/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
