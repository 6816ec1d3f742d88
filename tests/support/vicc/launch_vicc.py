#!/usr/bin/python3
"""Runs Debian's vicc (vsmartcard-vpicc 3.3) as an ICAO ePassport with BAC, loaded with the files
of a folder (EF_COM.bin, EF_SOD.bin, DG1.bin ... DG16.bin, as `deno task chip read` writes them),
connected to vpcd on a given port. Used by tests/pcsc_vicc_test.ts.

Debian's package has Python 3 bugs; they are fixed here at run time, never in the system files:
  1. the modules are installed under /usr/lib/python3/site-packages/virtualsmartcard/, which is
     not on Debian's sys.path;
  2. CryptoUtils imports PyCrypto (`Crypto`) and falls back to the Python 2 module `sha`; Debian
     ships PyCryptodome as `Cryptodome`, aliased here;
  3. the ePass card generator prompts on stdin (raw_input) for the MRZ and a photo; the card is
     built here from the folder instead (the MRZ for BAC comes from DG1, as on a real chip);
  4. BAC's K.IFD xor K.IC calls ord() on the ints of a bytes object (fix_bytes);
  5. the socket reader assumes one recv() returns a whole message (serve);
  6. the secure-messaging MAC drops the SSC's leading zero bytes: one MAC in 256 fails (fix_bytes);
  7. Python 2 str literals in TLV packing and secure messaging (SOURCE_FIXES, fix_sources);
  8. responses lack ICAO 9303-11's DO'99' (the code is commented out in vicc), and statuses other
     than 9000 (6282, 6A82) go unprotected (SOURCE_FIXES).
An APDU that still makes the emulator raise is answered 6F00 with the traceback on stderr.

usage: launch_vicc.py --files <folder> --port <vpcd port> [--host 127.0.0.1] [--verbose]
The MRZ never appears in its output.
"""
import argparse
import logging
import os
import socket
import struct
import sys
import time

PACKAGE_ROOT = "/usr/lib/python3/site-packages/virtualsmartcard"
EMRTD_AID = b"\xa0\x00\x00\x02\x47\x10\x01"
# File identifiers of the LDS (ICAO Doc 9303-10): EF.COM, EF.SOD, DG1..DG16 = 0101..0110.
FILE_IDS = {"EF_COM.bin": 0x011E, "EF_SOD.bin": 0x011D}
FILE_IDS.update({"DG%d.bin" % n: 0x0100 + n for n in range(1, 17)})


def fix_imports():
    """Bugs 1 and 2: module path and the PyCrypto name."""
    if os.path.isdir(PACKAGE_ROOT) and PACKAGE_ROOT not in sys.path:
        sys.path.insert(0, PACKAGE_ROOT)
    try:
        import Crypto.Cipher  # noqa: F401
    except ImportError:
        import Cryptodome
        import Cryptodome.Cipher
        import Cryptodome.Hash
        import Cryptodome.Hash.HMAC
        import Cryptodome.Hash.SHA
        import Cryptodome.Cipher.DES3
        import Cryptodome.Cipher.DES
        import Cryptodome.Cipher.AES
        import Cryptodome.Cipher.ARC4
        sys.modules["Crypto"] = Cryptodome
        for name in list(sys.modules):
            if name.startswith("Cryptodome."):
                sys.modules["Crypto." + name[len("Cryptodome."):]] = sys.modules[name]


def build_card(folder):
    """Bug 3: the ePass file system and SAM, from the folder's files instead of stdin."""
    import virtualsmartcard.SmartcardFilesystem as vsFS
    from virtualsmartcard.cards.ePass import PassportSAM

    mf = vsFS.MF()
    df = vsFS.DF(parent=mf, fid=4, dfname=EMRTD_AID, bertlv_data=[])
    mf.append(df)
    loaded = 0
    for name, fid in sorted(FILE_IDS.items(), key=lambda item: item[1]):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        with open(path, "rb") as handle:
            data = handle.read()
        df.append(vsFS.TransparentStructureEF(parent=df, fid=fid, filedescriptor=0, data=data))
        loaded += 1
    if not os.path.exists(os.path.join(folder, "DG1.bin")):
        raise SystemExit("launch_vicc: DG1.bin is required (BAC keys come from its MRZ)")
    sam = PassportSAM(mf)
    return mf, sam, loaded


def fix_bytes():
    """Bugs 4 and 6: BAC's key xor on bytes, and an SSC that keeps its leading zero bytes."""
    import virtualsmartcard.CryptoUtils as vsCrypto
    from virtualsmartcard.utils import inttostring

    def operation_on_string(first, second, op):
        # BAC's K.IFD xor K.IC: the original calls ord() on the ints of a bytes object.
        if len(first) != len(second):
            raise ValueError("string1 and string2 must be of equal length")
        return bytes(op(a, b) for a, b in zip(first, second))

    vsCrypto.operation_on_string = operation_on_string
    original_checksum = vsCrypto.crypto_checksum

    def crypto_checksum(algo, key, data, iv=None, ssc=None):
        # The SSC is 8 bytes (ICAO 9303-11 §9.8.2); inttostring(ssc) drops leading zero bytes,
        # so one MAC in 256 would fail.
        if algo == "CC" and ssc is not None:
            return original_checksum(algo, key, inttostring(ssc, 8) + data, iv, None)
        return original_checksum(algo, key, data, iv, ssc)

    vsCrypto.crypto_checksum = crypto_checksum


# Bug 7: Python 2 str literals where the secure-messaging code handles bytes. Each function is
# recompiled from its own source with these exact substitutions; a substitution that no longer
# matches (another vicc version) stops the launcher instead of running a half-fixed card.
SOURCE_FIXES = [
    ("virtualsmartcard.TLVutils", None, "pack", [
        ('return b"".join(result)', "return result"),
    ]),
    ("virtualsmartcard.SEutils", "Security_Environment", "parse_SM_CAPDU", [
        ('return_data = ["", ]', 'return_data = [b"", ]'),
        ('to_authenticate = ""', 'to_authenticate = b""'),
        ("padding_indicator = stringtoint(value[0])", "padding_indicator = value[0]"),
        ('data="".join(return_data)', 'data=b"".join(return_data)'),
    ]),
    ("virtualsmartcard.SEutils", "Security_Environment", "protect_response", [
        ('return_data = ""', 'return_data = b""'),
        ('if result != "":', "if result:"),
        ('encrypted = "\\x01" + encrypted', 'encrypted = b"\\x01" + encrypted'),
        # ICAO 9303-11 protects every response with DO'99' (the status word) between DO'87' and
        # DO'8E'; vicc has that code commented out. Put it back, without clobbering `sw`, and
        # protect every status as chips do (6282 end of file, 6A82 no such file), except the
        # secure-messaging errors 6987/6988 that end the session.
        ('    if sw == SW["NORMAL"]:\n        if self.cct.algorithm is None:',
         '    if sw not in (0x6987, 0x6988):\n'
         '        return_data += pack([(SM_Class["PLAIN_PROCESSING_STATUS"], 2, inttostring(sw, 2))])\n'
         '        if self.cct.algorithm is None:'),
    ]),
]


def fix_sources():
    """Bug 7: recompile the functions of SOURCE_FIXES with their substitutions."""
    import importlib
    import inspect
    import textwrap

    for module_name, class_name, function_name, substitutions in SOURCE_FIXES:
        module = importlib.import_module(module_name)
        owner = getattr(module, class_name) if class_name else module
        function = getattr(owner, function_name)
        source = textwrap.dedent(inspect.getsource(function))
        for old, new in substitutions:
            if old not in source:
                raise SystemExit("launch_vicc: %s.%s changed; cannot apply %r" % (
                    module_name, function_name, old))
            source = source.replace(old, new)
        namespace = {}
        exec(compile(source, inspect.getsourcefile(function), "exec"), function.__globals__, namespace)
        setattr(owner, function_name, namespace[function_name])
        if class_name is None:
            # Modules that imported the function by name keep the old one: rebind them too.
            for other in list(sys.modules.values()):
                if getattr(other, function_name, None) is function:
                    setattr(other, function_name, namespace[function_name])
    import virtualsmartcard.SEutils as SEutils
    import virtualsmartcard.TLVutils as TLVutils
    SEutils.bertlv_pack = TLVutils.bertlv_pack


def recv_exact(sock, size):
    """Bug 5: read exactly `size` bytes (b"" when the peer closed)."""
    chunks = b""
    while len(chunks) < size:
        try:
            chunk = sock.recv(size - len(chunks))
        except InterruptedError:
            continue
        if not chunk:
            return b""
        chunks += chunk
    return chunks


def connect(host, port, wait_seconds):
    """vpcd listens once pcscd has loaded it: retry until then (bounded)."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return socket.create_connection((host, port), timeout=5)
        except OSError:
            if time.monotonic() >= deadline:
                raise SystemExit("launch_vicc: vpcd is not listening on %s:%d" % (host, port))
            time.sleep(0.1)


def serve(os_, host, port, wait_seconds):
    """vicc's main loop (VirtualICC.run) with whole-message reads."""
    sock = connect(host, port, wait_seconds)
    sock.settimeout(None)
    logging.info("connected to vpcd at %s:%d", host, port)
    print("vicc ready", flush=True)
    while True:
        header = recv_exact(sock, 2)
        if not header:
            return
        (size,) = struct.unpack("!H", header)
        message = recv_exact(sock, size) if size else b""
        if size and not message:
            return
        if size == 1:
            control = message[0]
            if control == 0:
                os_.powerDown()
            elif control == 1:
                os_.powerUp()
            elif control == 2:
                os_.reset()
            elif control == 4:
                atr = os_.getATR()
                sock.sendall(struct.pack("!H", len(atr)) + atr)
            continue
        try:
            answer = os_.execute(message)
        except Exception:  # an emulator bug: answer 6F00 and say where, instead of hanging up
            logging.exception("vicc failed on an APDU (INS %02X)", message[1] if len(message) > 1 else 0)
            answer = b"\x6f\x00"
        sock.sendall(struct.pack("!H", len(answer)) + answer)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--wait", type=float, default=20.0, help="seconds to wait for vpcd")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    # APDU logging would print the MRZ-derived data; only warnings unless asked.
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    fix_imports()
    from virtualsmartcard.VirtualSmartcard import Iso7816OS

    fix_bytes()
    fix_sources()
    mf, sam, loaded = build_card(args.files)
    logging.info("ePass with %d files", loaded)
    serve(Iso7816OS(mf, sam), args.host, args.port, args.wait)


if __name__ == "__main__":
    main()
