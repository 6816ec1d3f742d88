/**
 * The PC/SC transport's reconnect over a stand-in context (no pcscd): it waits while the reader is
 * empty (prompting once), does not reset a card pcscd is still powering (present and mute for a
 * moment), and resets one pcscd left mute (a failed power-up or reset) after
 * `MUTE_POLLS_BEFORE_RESET` polls — the lost-tag read of tests/pcsc_vicc_test.ts stalled on such a
 * card until its deadline when the machine was busy.
 */
import assert from "node:assert/strict";
import { MUTE_POLLS_BEFORE_RESET, type PcscContext, PcscTransport } from "./transport.ts";
import { STATE_EMPTY, STATE_MUTE, STATE_PRESENT } from "./ffi.ts";
import { SCARD } from "./errors.ts";

/** A context whose reader goes through `states` (the last one stays) and whose resets succeed. */
function standIn(states: number[]) {
  const calls = { polls: 0, resets: 0 };
  const lib = {
    SCardReconnect: () => {
      calls.resets++;
      return Promise.resolve(SCARD.S_SUCCESS);
    },
    SCardDisconnect: () => SCARD.S_SUCCESS,
  };
  const context = {
    library: { lib, word: 8 },
    readerState: () => states[Math.min(calls.polls++, states.length - 1)],
    connectHandle: () => Promise.reject(new Error("not expected")),
  } as unknown as PcscContext;
  return { context, calls };
}

const MUTE = STATE_PRESENT | STATE_MUTE;

Deno.test("reconnect: waits out an empty reader, prompts once, resets the card when it is back", async () => {
  const { context, calls } = standIn([STATE_EMPTY, STATE_EMPTY, STATE_PRESENT]);
  let prompts = 0;
  const transport = new PcscTransport(context, "Reader 0", 1n, new Uint8Array(8), {
    sleep: () => Promise.resolve(),
    onCardAway: () => prompts++,
  });
  await transport.reconnect();
  assert.deepEqual({ prompts, polls: calls.polls, resets: calls.resets }, {
    prompts: 1,
    polls: 3,
    resets: 1,
  });
});

Deno.test("reconnect: a card mute for a moment is left to pcscd; one that stays mute is reset", async () => {
  // Mute for two polls, then present: pcscd powered it; the transport resets it once, after.
  const brief = standIn([STATE_EMPTY, MUTE, MUTE, STATE_PRESENT]);
  await new PcscTransport(brief.context, "Reader 0", 1n, new Uint8Array(8), {
    sleep: () => Promise.resolve(),
  }).reconnect();
  assert.deepEqual({ polls: brief.calls.polls, resets: brief.calls.resets }, {
    polls: 4,
    resets: 1,
  });

  // Mute from then on: reset by the transport at the MUTE_POLLS_BEFORE_RESET-th mute poll.
  const stuck = standIn([STATE_EMPTY, MUTE]);
  await new PcscTransport(stuck.context, "Reader 0", 1n, new Uint8Array(8), {
    sleep: () => Promise.resolve(),
  }).reconnect();
  assert.deepEqual({ polls: stuck.calls.polls, resets: stuck.calls.resets }, {
    polls: 1 + MUTE_POLLS_BEFORE_RESET,
    resets: 1,
  });
});
