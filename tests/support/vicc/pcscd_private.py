#!/usr/bin/python3
"""Starts pcscd on a private socket, so a test never touches the system's /run/pcscd/pcscd.comm.

pcscd 1.9 has no option for its socket path, but it accepts a listening socket from systemd
(socket activation: fd 3, LISTEN_FDS=1, LISTEN_PID=its pid). This binds the socket at the given
path, hands it over that way and execs pcscd; clients find it through PCSCLITE_CSOCK_NAME.

usage: pcscd_private.py <socket path> <pcscd> [pcscd arguments...]
"""
import os
import socket
import sys


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    path = sys.argv[1]
    if os.path.exists(path):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(64)
    if listener.fileno() != 3:
        os.dup2(listener.fileno(), 3)
    os.set_inheritable(3, True)
    os.environ["LISTEN_FDS"] = "1"
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.execv(sys.argv[2], sys.argv[2:])


if __name__ == "__main__":
    main()
