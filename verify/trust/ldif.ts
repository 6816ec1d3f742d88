/**
 * A small LDIF reader (RFC 2849) for ICAO PKD downloads: entries separated by blank lines,
 * folded lines (continuations start with one space), comments, `attr: text` and `attr:: base64`.
 * The PKD's binary attributes (`userCertificate;binary`, `certificateRevocationList;binary`,
 * `CscaMasterListData`) come out as bytes.
 */
import { CodedError } from "../errors.ts";

/** Stable reasons an LDIF file is rejected. */
export type LdifErrorCode = "ldif_malformed" | "ldif_bad_base64" | "ldif_unsupported";

/** A rejected LDIF file. */
export class LdifError extends CodedError<LdifErrorCode> {}

/** One LDIF entry; attribute names are lower-cased, values keep their order. */
export interface LdifEntry {
  dn: string;
  attributes: Map<string, Array<string | Uint8Array>>;
}

/** The PKD objects found in LDIF entries. */
export interface LdifTrustObjects {
  certificates: Uint8Array[];
  crls: Uint8Array[];
  masterLists: Uint8Array[];
}

function decodeBase64(text: string, line: number): Uint8Array {
  const clean = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean) || clean.length % 4 === 1) {
    throw new LdifError("ldif_bad_base64", `line ${line}`);
  }
  try {
    return Uint8Array.fromBase64(clean);
  } catch {
    throw new LdifError("ldif_bad_base64", `line ${line}`);
  }
}

/** Joins folded lines; returns logical lines with their starting line number ("" = separator). */
function logicalLines(text: string): Array<{ text: string; line: number }> {
  const out: Array<{ text: string; line: number }> = [];
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const line = physical[i];
    if (line.startsWith(" ") && out.length > 0 && out[out.length - 1].text !== "") {
      out[out.length - 1].text += line.slice(1);
    } else if (line.startsWith(" ")) {
      throw new LdifError("ldif_malformed", `line ${i + 1}: continuation without a line`);
    } else out.push({ text: line, line: i + 1 });
  }
  return out.filter((l) => !l.text.startsWith("#"));
}

function parseAttributeLine(text: string, line: number): [string, string | Uint8Array] {
  const colon = text.indexOf(":");
  if (colon <= 0) throw new LdifError("ldif_malformed", `line ${line}: no attribute name`);
  const name = text.slice(0, colon).toLowerCase();
  const rest = text.slice(colon + 1);
  if (rest.startsWith(":")) return [name, decodeBase64(rest.slice(1).trim(), line)];
  if (rest.startsWith("<")) throw new LdifError("ldif_unsupported", `line ${line}: URL values`);
  return [name, rest.trimStart()];
}

/** Parses LDIF text into entries; throws `LdifError`. */
export function parseLdif(text: string): LdifEntry[] {
  const entries: LdifEntry[] = [];
  let current: LdifEntry | null = null;
  for (const { text: lineText, line } of logicalLines(text)) {
    if (lineText.trim() === "") {
      current = null;
      continue;
    }
    const [name, value] = parseAttributeLine(lineText, line);
    if (!current) {
      if (name === "version" && entries.length === 0) continue;
      if (name !== "dn") {
        throw new LdifError("ldif_malformed", `line ${line}: entry must start with dn`);
      }
      const dn = typeof value === "string" ? value : new TextDecoder().decode(value);
      current = { dn, attributes: new Map() };
      entries.push(current);
      continue;
    }
    const values = current.attributes.get(name) ?? [];
    values.push(value);
    current.attributes.set(name, values);
  }
  return entries;
}

function binaryValues(entry: LdifEntry, name: string): Uint8Array[] {
  return (entry.attributes.get(name) ?? []).filter((v): v is Uint8Array => v instanceof Uint8Array);
}

/** Collects certificates, CRLs and master lists from PKD entries. */
export function extractTrustObjects(entries: LdifEntry[]): LdifTrustObjects {
  const out: LdifTrustObjects = { certificates: [], crls: [], masterLists: [] };
  for (const entry of entries) {
    out.certificates.push(
      ...binaryValues(entry, "usercertificate;binary"),
      ...binaryValues(entry, "cacertificate;binary"),
    );
    out.crls.push(...binaryValues(entry, "certificaterevocationlist;binary"));
    out.masterLists.push(...binaryValues(entry, "cscamasterlistdata"));
  }
  return out;
}
