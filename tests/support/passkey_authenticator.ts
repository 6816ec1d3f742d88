/**
 * A software WebAuthn authenticator for HTTP tests: a real P-256 key pair, real authenticator
 * data, `none` attestation and real ECDSA signatures, so the server verifies genuine responses.
 * Tests then tamper with one thing (origin, counter, challenge) to provoke each refusal.
 */
import { isoCBOR } from "@simplewebauthn/server/helpers";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { fromBase64Url, toBase64Url } from "../../lib/core/ids.ts";
import { concatBytes } from "../../verify/asn1/values.ts";

const FLAGS_UP_UV = 0x01 | 0x04;
const FLAG_ATTESTED = 0x40;

/** A software authenticator holding one credential. */
export class SoftAuthenticator {
  /** Next signature counter (0 keeps it at zero, as many passkeys do). */
  counter = 1;
  private constructor(
    readonly credentialId: string,
    private readonly keys: CryptoKeyPair,
    private userHandle = "",
  ) {}

  /** A new authenticator with a fresh key pair. */
  static async create(): Promise<SoftAuthenticator> {
    const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    return new SoftAuthenticator(toBase64Url(crypto.getRandomValues(new Uint8Array(16))), keys);
  }

  /** Answers `navigator.credentials.create` options as a browser would. */
  async register(
    options: PublicKeyCredentialCreationOptionsJSON,
    origin: string,
  ): Promise<RegistrationResponseJSON> {
    this.userHandle = options.user.id;
    const clientDataJSON = clientData("webauthn.create", options.challenge, origin);
    const idBytes = fromBase64Url(this.credentialId);
    const authData = concatBytes([
      await sha256(new TextEncoder().encode(options.rp.id!)),
      new Uint8Array([FLAGS_UP_UV | FLAG_ATTESTED]),
      uint32(0),
      new Uint8Array(16),
      new Uint8Array([idBytes.length >> 8, idBytes.length & 0xff]),
      idBytes,
      await this.cosePublicKey(),
    ]);
    const attestationObject = isoCBOR.encode(
      new Map<string, unknown>([["fmt", "none"], ["attStmt", new Map()], ["authData", authData]]) as // deno-lint-ignore no-explicit-any
      any,
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: "public-key",
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        attestationObject: toBase64Url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
    };
  }

  /** Answers `navigator.credentials.get` options (signs with the next counter value). */
  async authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    origin: string,
    rpId = options.rpId!,
  ): Promise<AuthenticationResponseJSON> {
    const clientDataJSON = clientData("webauthn.get", options.challenge, origin);
    const authData = concatBytes([
      await sha256(new TextEncoder().encode(rpId)),
      new Uint8Array([FLAGS_UP_UV]),
      uint32(this.counter),
    ]);
    if (this.counter > 0) this.counter++;
    const signed = concatBytes([authData, await sha256(clientDataJSON)]);
    const raw = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, this.keys.privateKey, signed),
    );
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: "public-key",
      response: {
        clientDataJSON: toBase64Url(clientDataJSON),
        authenticatorData: toBase64Url(authData),
        signature: toBase64Url(derSignature(raw)),
        userHandle: this.userHandle || undefined,
      },
      clientExtensionResults: {},
    };
  }

  private async cosePublicKey(): Promise<Uint8Array> {
    const jwk = await crypto.subtle.exportKey("jwk", this.keys.publicKey);
    const cose = new Map<number, number | Uint8Array>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, fromBase64Url(jwk.x!)],
      [-3, fromBase64Url(jwk.y!)],
    ]);
    // deno-lint-ignore no-explicit-any
    return isoCBOR.encode(cose as any);
  }
}

function clientData(type: string, challenge: string, origin: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
}

async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>));
}

function uint32(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value);
  return out;
}

// WebCrypto signs as r||s; WebAuthn carries ECDSA signatures DER-encoded.
function derSignature(raw: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const trimmed = bytes.slice(start);
    const padded = trimmed[0] & 0x80 ? concatBytes([new Uint8Array([0]), trimmed]) : trimmed;
    return concatBytes([new Uint8Array([0x02, padded.length]), padded]);
  };
  const body = concatBytes([integer(raw.slice(0, 32)), integer(raw.slice(32))]);
  return concatBytes([new Uint8Array([0x30, body.length]), body]);
}
