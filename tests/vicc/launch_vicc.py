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
  4. paths and names given as `str` where Python 3 needs `bytes` (see `_fix_*`);
  5. the socket reader assumes one recv() returns a whole message.

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


def fix_sam(sam_class):
    """Bug 4: PassportSAM walks the MF with a str path; Python 3's walk needs bytes."""
    import virtualsmartcard.SmartcardFilesystem as vsFS

    original_walk = vsFS.walk

    def walk(start, path):
        if isinstance(path, str):
            path = path.encode("latin-1")
        return original_walk(start, path)

    vsFS.walk = walk


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
        answer = os_.execute(message)
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
    from virtualsmartcard.cards.ePass import PassportSAM

    fix_sam(PassportSAM)
    mf, sam, loaded = build_card(args.files)
    logging.info("ePass with %d files", loaded)
    serve(Iso7816OS(mf, sam), args.host, args.port, args.wait)


if __name__ == "__main__":
    main()
