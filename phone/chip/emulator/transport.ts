/**
 * A {@link ChipTransport} over an {@link EmulatedChip}, with the faults a phone meets in the
 * field: the tag leaving mid-file (the chip resets; `reconnect` brings it back), a slow chip
 * (a delay per APDU through an injectable sleep), and a chip that never answers.
 */
import { ChipError } from "../errors.ts";
import type { ChipFileName } from "../files.ts";
import type { ChipTransport } from "../reader.ts";
import type { EmulatedChip } from "./chip.ts";

/** Faults of the emulated field. */
export interface TransportFaults {
  /** Lose the tag once, on the first READ BINARY of `file` at or past `atOffset`. */
  tagLost?: { file: ChipFileName; atOffset: number; times?: number };
  /** Delay every APDU by this many milliseconds… */
  delayMs?: number;
  /** …through this sleep (default `setTimeout`). */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The emulated chip behind a transport. */
export class EmulatorTransport implements ChipTransport {
  readonly chip: EmulatedChip;
  readonly #faults: TransportFaults;
  #lost = false;
  #tagLossesLeft: number;
  /** How often the tag was lost and reconnected. */
  losses = 0;
  reconnects = 0;

  constructor(chip: EmulatedChip, faults: TransportFaults = {}) {
    this.chip = chip;
    this.#faults = faults;
    this.#tagLossesLeft = faults.tagLost ? (faults.tagLost.times ?? 1) : 0;
  }

  async transceive(command: Uint8Array): Promise<Uint8Array> {
    if (this.#lost) throw new ChipError("tag_lost", "the emulated tag is out of the field");
    if (this.#faults.delayMs) await (this.#faults.sleep ?? defaultSleep)(this.#faults.delayMs);
    const response = this.chip.process(command);
    const read = this.chip.lastRead;
    const fault = this.#faults.tagLost;
    if (
      fault && this.#tagLossesLeft > 0 && read && read.file === fault.file &&
      read.offset >= fault.atOffset
    ) {
      this.#tagLossesLeft--;
      this.losses++;
      this.#lost = true;
      this.chip.reset();
      throw new ChipError("tag_lost", "the emulated tag left the field");
    }
    return response;
  }

  reconnect(): Promise<void> {
    this.reconnects++;
    this.#lost = false;
    this.chip.reset();
    return Promise.resolve();
  }
}
