/**
 * Encoders for the synthetic chip's data groups: DG14 (SecurityInfos), DG15 (AA key) and the
 * LDS Security Object. DG1 and DG2 live in their own modules.
 */
import {
  encodeInteger,
  encodeOctetString,
  encodeOid,
  encodeSequence,
  encodeSet,
  encodeTlv,
} from "../chip/der.ts";
import type { SmCipher } from "../chip/dg14.ts";
import { type HashName, plainEcdsaOid } from "../chip/hashes.ts";
import type { DhPublicKey, EcPublicKey, RsaPublicKey } from "../chip/public_key.ts";
import { dhSpki, ecSpki, rsaSpki } from "./keys.ts";

const CIPHER_SUFFIX: Record<SmCipher, number> = {
  "3DES": 1,
  "AES-128": 2,
  "AES-192": 3,
  "AES-256": 4,
};

/** What DG14 announces. */
export interface Dg14Options {
  /** The chip's CA key and the SM cipher of its CA protocol. */
  ca?: { publicKey: EcPublicKey | DhPublicKey; cipher: SmCipher; keyId?: number };
  /** For EC AA keys: the ECDSA digest (written as a BSI plain-ECDSA OID). */
  aaHash?: HashName;
  /** Add a PACEInfo (ECDH generic mapping, AES-128, brainpoolP256r1 = parameter 13). */
  pace?: boolean;
}

/** Encodes DG14 (tag 6E). */
export function encodeDg14(options: Dg14Options): Uint8Array {
  const infos: Uint8Array[] = [];
  if (options.ca) {
    const { publicKey, cipher, keyId } = options.ca;
    const isDh = publicKey.kind === "dh";
    const keyIdField = keyId === undefined ? [] : [encodeInteger(keyId)];
    const spki = isDh ? dhSpki(publicKey) : ecSpki(publicKey as EcPublicKey);
    infos.push(
      encodeSequence(encodeOid(`0.4.0.127.0.7.2.2.1.${isDh ? 1 : 2}`), spki, ...keyIdField),
    );
    infos.push(
      encodeSequence(
        encodeOid(`0.4.0.127.0.7.2.2.3.${isDh ? 1 : 2}.${CIPHER_SUFFIX[cipher]}`),
        encodeInteger(1),
        ...keyIdField,
      ),
    );
    infos.push(encodeSequence(encodeOid("0.4.0.127.0.7.2.2.2"), encodeInteger(1)));
  }
  if (options.aaHash) {
    infos.push(
      encodeSequence(
        encodeOid("2.23.136.1.1.5"),
        encodeInteger(1),
        encodeOid(plainEcdsaOid(options.aaHash)),
      ),
    );
  }
  if (options.pace) {
    infos.push(
      encodeSequence(encodeOid("0.4.0.127.0.7.2.2.4.2.2"), encodeInteger(2), encodeInteger(13)),
    );
  }
  return encodeTlv(0x6e, encodeSet(...infos));
}

/** Encodes DG15 (tag 6F) around the AA public key's SubjectPublicKeyInfo. */
export function encodeDg15(publicKey: RsaPublicKey | EcPublicKey): Uint8Array {
  return encodeTlv(0x6f, publicKey.kind === "rsa" ? rsaSpki(publicKey) : ecSpki(publicKey));
}

const HASH_OIDS: Record<HashName, string> = {
  "SHA-1": "1.3.14.3.2.26",
  "SHA-224": "2.16.840.1.101.3.4.2.4",
  "SHA-256": "2.16.840.1.101.3.4.2.1",
  "SHA-384": "2.16.840.1.101.3.4.2.2",
  "SHA-512": "2.16.840.1.101.3.4.2.3",
};

/** The AlgorithmIdentifier of a digest (parameters absent, as most passports write it). */
export function digestAlgorithmIdentifier(hash: HashName): Uint8Array {
  return encodeSequence(encodeOid(HASH_OIDS[hash]));
}

/** Encodes an LDSSecurityObject v0 over the given data-group hashes. */
export function encodeLdsSecurityObject(
  hash: HashName,
  hashes: Map<number, Uint8Array>,
): Uint8Array {
  const entries = [...hashes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([dg, value]) => encodeSequence(encodeInteger(dg), encodeOctetString(value)));
  return encodeSequence(
    encodeInteger(0),
    digestAlgorithmIdentifier(hash),
    encodeSequence(...entries),
  );
}
