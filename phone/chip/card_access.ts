/**
 * EF.CardAccess (ICAO 9303-11 §9.2): the PACEInfo and PACEDomainParameterInfo entries a chip
 * offers. Unknown SecurityInfos are skipped; a malformed file is `malformed_response`.
 */
import { concat, decodeOid, decodeSmallInt, oidBytes, readAll, readTlv, tlv } from "./bytes.ts";
import type { Cipher } from "./crypto.ts";
import { type Domain, ecDomainByOid, standardDomain } from "./domain.ts";
import { ChipError } from "./errors.ts";

const PACE_PREFIX = "0.4.0.127.0.7.2.2.4.";
const MAPPINGS: Record<string, { agreement: "DH" | "ECDH"; mapping: "GM" | "IM" | "CAM" }> = {
  "1": { agreement: "DH", mapping: "GM" },
  "2": { agreement: "ECDH", mapping: "GM" },
  "3": { agreement: "DH", mapping: "IM" },
  "4": { agreement: "ECDH", mapping: "IM" },
  "6": { agreement: "ECDH", mapping: "CAM" },
};
const CIPHERS: Record<string, Cipher> = {
  "1": "3DES",
  "2": "AES-128",
  "3": "AES-192",
  "4": "AES-256",
};

/** One PACEInfo. */
export interface PaceInfo {
  oid: string;
  agreement: "DH" | "ECDH";
  mapping: "GM" | "IM" | "CAM";
  cipher: Cipher;
  version: number;
  parameterId?: number;
}

/** What EF.CardAccess offers. */
export interface CardAccess {
  pace: PaceInfo[];
  /** Proprietary domain parameters by id (PACEDomainParameterInfo with a named curve). */
  domains: Map<number, Domain>;
}

/** The PACE OID of a mapping, agreement and cipher. */
export function paceOid(agreement: "DH" | "ECDH", mapping: "GM" | "IM", cipher: Cipher): string {
  const m =
    Object.entries(MAPPINGS).find(([, v]) =>
      v.agreement === agreement && v.mapping === mapping
    )![0];
  const c = Object.entries(CIPHERS).find(([, v]) => v === cipher)![0];
  return `${PACE_PREFIX}${m}.${c}`;
}

/** Parses EF.CardAccess. */
export function parseCardAccess(bytes: Uint8Array): CardAccess {
  const out: CardAccess = { pace: [], domains: new Map() };
  const set = readTlv(bytes);
  if (set.tag !== 0x31) throw new ChipError("malformed_response", "EF.CardAccess is not a SET");
  for (const info of readAll(set.value)) {
    if (info.tag !== 0x30) continue;
    const fields = readAll(info.value);
    if (fields[0]?.tag !== 0x06) continue;
    const oid = decodeOid(fields[0].value);
    if (!oid.startsWith(PACE_PREFIX)) continue;
    const arcs = oid.slice(PACE_PREFIX.length).split(".");
    const mapping = MAPPINGS[arcs[0]];
    if (!mapping) continue;
    if (arcs.length === 2 && CIPHERS[arcs[1]] && fields[1]?.tag === 0x02) {
      const version = decodeSmallInt(fields[1].value);
      const parameterId = fields[2]?.tag === 0x02 ? decodeSmallInt(fields[2].value) : undefined;
      out.pace.push({ oid, ...mapping, cipher: CIPHERS[arcs[1]], version, parameterId });
    } else if (arcs.length === 1 && fields[1]?.tag === 0x30) {
      const algorithm = readAll(fields[1].value);
      const id = fields[2]?.tag === 0x02 ? decodeSmallInt(fields[2].value) : 0;
      if (algorithm[1]?.tag === 0x06) {
        const domain = ecDomainByOid(decodeOid(algorithm[1].value));
        if (domain) out.domains.set(id, domain);
      }
    }
  }
  return out;
}

/** The domain a PACEInfo uses, or undefined when this reader does not know it. */
export function domainOf(info: PaceInfo, access: CardAccess): Domain | undefined {
  const id = info.parameterId ?? 0;
  if (id >= 32) return access.domains.get(id);
  if (access.domains.has(id) && info.parameterId === undefined) return access.domains.get(id);
  const domain = standardDomain(id);
  if (!domain) return undefined;
  return (domain.kind === "ec") === (info.agreement === "ECDH") ? domain : undefined;
}

/**
 * The PACEInfo to use: Generic Mapping before Integrated Mapping (Chip Authentication Mapping is
 * not implemented), ECDH before DH, otherwise in the chip's order.
 */
export function choosePace(access: CardAccess): { info: PaceInfo; domain: Domain } | undefined {
  const usable = access.pace
    .filter((p) => p.mapping !== "CAM" && p.version === 2)
    .map((info) => ({ info, domain: domainOf(info, access) }))
    .filter((c): c is { info: PaceInfo; domain: Domain } =>
      c.domain !== undefined &&
      // The affine point encoding of Appendix B needs p ≡ 3 (mod 4) (every curve but P-224).
      (c.info.mapping === "GM" || c.domain.kind === "dh" || c.domain.p % 4n === 3n)
    );
  const rank = (c: { info: PaceInfo }) =>
    (c.info.mapping === "GM" ? 0 : 2) + (c.info.agreement === "ECDH" ? 0 : 1);
  return usable.sort((x, y) => rank(x) - rank(y))[0];
}

/** Encodes EF.CardAccess with one PACEInfo per entry (for the emulator). */
export function encodeCardAccess(infos: Array<Omit<PaceInfo, "oid" | "version">>): Uint8Array {
  const int = (n: number) => tlv(0x02, Uint8Array.of(n));
  return tlv(
    0x31,
    concat(...infos.map((i) =>
      tlv(
        0x30,
        tlv(0x06, oidBytes(paceOid(i.agreement, i.mapping as "GM" | "IM", i.cipher))),
        int(2),
        ...(i.parameterId === undefined ? [] : [int(i.parameterId)]),
      )
    )),
  );
}
