/**
 * Command builders and small helpers of the reader: SELECT of the eMRTD application, READ BINARY
 * offsets, key references, the Chip Authentication status check and the APDU timeout.
 */
import { ChipError, statusHex } from "./errors.ts";
import type { Command, Response } from "./sm.ts";

const EMRTD_AID = Uint8Array.of(0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01);

export function expectCa(response: Response, step: string): void {
  if (response.sw === 0x9000) return;
  const code = response.sw === 0x6982 ? "access_denied" : "unsupported_chip";
  throw new ChipError(code, `${step}: ${statusHex(response.sw)}`, response.sw);
}

export function selectAid(): Command {
  return { cla: 0, ins: 0xa4, p1: 0x04, p2: 0x0c, data: EMRTD_AID };
}

export function offsetBytes(offset: number): Uint8Array {
  return offset > 0xffff
    ? Uint8Array.of(offset >> 16, (offset >> 8) & 0xff, offset & 0xff)
    : Uint8Array.of(offset >> 8, offset & 0xff);
}

export function minimalUnsigned(value: number): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    out.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  return Uint8Array.from(out);
}

export function withTimeout<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ChipError("timeout", `no answer within ${ms} ms`)), ms);
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}
