/**
 * Chunked artifact uploads of one attempt, in memory only (docs/mobile-protocol.md, docs/privacy.md): `artifact_begin`
 * announces the size and SHA-256, `artifact_chunk`s arrive in order, `artifact_end` checks the
 * size and the digest before the artifact is kept. Nothing here touches storage or logs.
 */
import { toHex } from "../core/keys.ts";
import {
  type ArtifactKind,
  artifactName,
  decodeBase64,
  LIMITS,
  type ProtocolViolation,
} from "./protocol.ts";

interface PendingUpload {
  kind: ArtifactKind;
  index: number;
  size: number;
  sha256: string;
  chunks: Uint8Array[];
  received: number;
  nextSeq: number;
}

/** The artifacts of one attempt, complete and in progress. */
export class ArtifactStore {
  readonly #complete = new Map<string, Uint8Array>();
  readonly #pending = new Map<string, PendingUpload>();

  /** Names of the complete artifacts (`dg1`, `selfie_frame:0`…). */
  names(): string[] {
    return [...this.#complete.keys()];
  }

  /** A complete artifact. */
  get(kind: ArtifactKind, index = 0): Uint8Array | undefined {
    return this.#complete.get(artifactName(kind, index));
  }

  /** The complete selfie frames in index order (missing indexes are skipped). */
  selfieFrames(): Uint8Array[] {
    const frames: Uint8Array[] = [];
    for (let i = 0; i < LIMITS.maxSelfieFrames; i++) {
      const frame = this.get("selfie_frame", i);
      if (frame) frames.push(frame);
    }
    return frames;
  }

  /** Starts an upload; a repeated begin restarts it (the phone retries after a drop). */
  begin(kind: ArtifactKind, index: number, size: number, sha256: string): ProtocolViolation | null {
    const limit = kind === "selfie_frame" ? LIMITS.maxSelfieFrameBytes : LIMITS.maxArtifactBytes;
    if (size > limit) {
      return { code: "ARTIFACT_TOO_LARGE", message: `${kind} is limited to ${limit} bytes.` };
    }
    if (kind === "selfie_frame" && index >= LIMITS.maxSelfieFrames) {
      return {
        code: "TOO_MANY_SELFIE_FRAMES",
        message: `At most ${LIMITS.maxSelfieFrames} selfie frames.`,
      };
    }
    if (kind !== "selfie_frame" && index !== 0) {
      return { code: "MALFORMED_MESSAGE", message: "Only selfie frames have an index." };
    }
    this.#pending.set(artifactName(kind, index), {
      kind,
      index,
      size,
      sha256,
      chunks: [],
      received: 0,
      nextSeq: 0,
    });
    return null;
  }

  /** Adds the next chunk. */
  chunk(kind: ArtifactKind, index: number, seq: number, data: string): ProtocolViolation | null {
    const upload = this.#pending.get(artifactName(kind, index));
    if (!upload) return { code: "OUT_OF_ORDER", message: "artifact_chunk before artifact_begin." };
    if (seq !== upload.nextSeq) {
      return { code: "OUT_OF_ORDER", message: `Expected chunk ${upload.nextSeq}, got ${seq}.` };
    }
    const bytes = decodeBase64(data);
    if (!bytes || bytes.length === 0) {
      return { code: "MALFORMED_MESSAGE", message: "data is not base64." };
    }
    if (bytes.length > LIMITS.maxChunkBytes) {
      return {
        code: "FRAME_TOO_LARGE",
        message: `A chunk carries at most ${LIMITS.maxChunkBytes} bytes.`,
      };
    }
    if (upload.received + bytes.length > upload.size) {
      this.#pending.delete(artifactName(kind, index));
      return {
        code: "ARTIFACT_TOO_LARGE",
        message: "More bytes than announced; restart the artifact.",
      };
    }
    upload.chunks.push(bytes);
    upload.received += bytes.length;
    upload.nextSeq++;
    return null;
  }

  /** Completes an upload after checking its size and SHA-256. */
  async end(kind: ArtifactKind, index: number): Promise<ProtocolViolation | { sha256: string }> {
    const name = artifactName(kind, index);
    const upload = this.#pending.get(name);
    if (!upload) return { code: "OUT_OF_ORDER", message: "artifact_end before artifact_begin." };
    this.#pending.delete(name);
    if (upload.received !== upload.size) {
      return {
        code: "CHECKSUM_MISMATCH",
        message: `Received ${upload.received} of ${upload.size} bytes.`,
      };
    }
    // One chunk (most artifacts fit in one) is kept as it is, without a copy.
    const bytes = upload.chunks.length === 1 ? upload.chunks[0] : new Uint8Array(upload.size);
    if (upload.chunks.length !== 1) {
      let offset = 0;
      for (const chunk of upload.chunks) {
        bytes.set(chunk, offset);
        offset += chunk.length;
      }
    }
    upload.chunks = [];
    const digest = toHex(
      new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>)),
    );
    if (digest !== upload.sha256) {
      return {
        code: "CHECKSUM_MISMATCH",
        message: "The SHA-256 does not match; upload the artifact again.",
      };
    }
    this.#complete.set(name, bytes);
    return { sha256: digest };
  }

  /** Drops everything (the attempt ended). */
  clear(): void {
    this.#complete.clear();
    this.#pending.clear();
  }
}
