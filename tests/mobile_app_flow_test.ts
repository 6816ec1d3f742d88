/**
 * The phone app's own logic (mobile/src/logic) end to end against a served app: the NFC layer is
 * the reader core's chip emulator holding a synthetic passport, the camera is fixture frames.
 * A full test-mode verification succeeds through the app's code, and every phone-side failure
 * shows its message: wrong MRZ data, tag lost (hold still, then resume), server refusal, and a
 * dropped socket (automatic resume, then resume on the user's retry).
 */
import assert from "node:assert/strict";
import {
  type AppConfig,
  type FlowState,
  HOLD_STILL,
  linkErrorMessage,
  type NfcAdapter,
  type NfcSession,
  runChipSession,
  serverErrorMessage,
  type SocketFactory,
  type SocketLike,
  VerificationFlow,
} from "../mobile/src/logic/mod.ts";
import {
  consentAll,
  createSession,
  type HandoffTestApp,
  publicCall,
  realBiometric,
  serveApp,
  setupHandoffApp,
} from "./support/handoff.ts";
import {
  accessKeyFor,
  type EmulatedPassportOptions,
  emulatedTransportFor,
} from "../phone/emulated_passport.ts";
import { passportFor, selfieFramesFor } from "../phone/media.ts";
import { scenarioByName } from "../phone/mod.ts";
import type { SyntheticPassport } from "../verify/mod.ts";
import type { Pose } from "../verify/biometric/mod.ts";
import { getSessionRecord } from "../lib/sessions/sessions.ts";
import { chipErrorMessage } from "../phone/chip/mod.ts";

const success = scenarioByName("success");
let world:
  | Promise<{ t: HandoffTestApp; url: string; passport: SyntheticPassport }>
  | undefined;

/** One served app (real face verifier) and one synthetic passport for every test here. */
function sharedWorld() {
  world ??= (async () => {
    const t = await setupHandoffApp({ biometric: await realBiometric() });
    const server = serveApp(t);
    const passport = await passportFor(success, new Date());
    return { t, url: server.url, passport };
  })();
  return world;
}

function config(url: string): AppConfig {
  return {
    appName: "Kayle ID",
    appVersion: "kayle-mobile-test/1",
    allowedServers: [url],
  };
}

/** A session with consent and a handoff: the deep link the QR code carries. */
async function handoffLink(
  t: HandoffTestApp,
): Promise<{ id: string; link: string; shortLink: string }> {
  const { id } = await createSession(t, {
    share_fields: { family_name: { required: true, reason: "Account name" } },
  });
  await consentAll(t, id);
  const handoff = await publicCall(
    t,
    "POST",
    `/v1/verify/session/${id}/handoff`,
  );
  assert.equal(handoff.status, 200);
  return {
    id,
    link: handoff.body.data.deep_link,
    shortLink: handoff.body.data.short_link,
  };
}

/** The typed entry of the passport's MRZ, as a person types it (dates DD.MM.YYYY, check digits). */
function typedEntry(passport: SyntheticPassport, wrongBirth = false) {
  const f = passport.mrzFields;
  const dmy = (iso: string) => `${iso.slice(8, 10)}.${iso.slice(5, 7)}.${iso.slice(0, 4)}`;
  const birth = wrongBirth ? "01.01.1950" : dmy(f.dateOfBirth);
  return {
    documentNumber: f.documentNumber,
    dateOfBirth: birth,
    dateOfExpiry: dmy(f.dateOfExpiry),
  };
}

/** The NFC layer: each session is a fresh emulated chip of the passport. */
function emulatedNfc(
  passport: SyntheticPassport,
  sessions: Array<EmulatedPassportOptions & { noReconnect?: boolean }> = [{}],
) {
  const reads: string[][] = [];
  let n = 0;
  const adapter: NfcAdapter = {
    begin(): Promise<NfcSession> {
      const options = sessions[Math.min(n++, sessions.length - 1)];
      const transport = emulatedTransportFor(passport, options);
      const files: string[] = [];
      reads.push(files);
      return Promise.resolve({
        async transceive(apdu: Uint8Array) {
          const response = await transport.transceive(apdu);
          const read = transport.chip.lastRead;
          const isRead = apdu[1] === 0xb0 || apdu[1] === 0xb1;
          if (isRead && read && !files.includes(read.file)) {
            files.push(read.file);
          }
          return response;
        },
        reconnect: options.noReconnect ? undefined : () => transport.reconnect(),
        close: () => Promise.resolve(),
      });
    },
  };
  return { adapter, reads };
}

function newFlow(
  url: string,
  nfc: NfcAdapter,
  extra: { sockets?: SocketFactory; deviceId?: string; reconnects?: number } = {},
) {
  const deviceId = extra.deviceId ?? `test-phone-${crypto.randomUUID()}`;
  const flow = new VerificationFlow({
    config: config(url),
    deviceId: () => Promise.resolve(deviceId),
    nfc,
    sockets: extra.sockets,
    reconnects: extra.reconnects,
  });
  const states: FlowState[] = [];
  flow.subscribe((s) => states.push(s));
  return { flow, states };
}

function expectStep<S extends FlowState["step"]>(
  flow: VerificationFlow,
  step: S,
) {
  assert.equal(flow.state.step, step, JSON.stringify(flow.state));
  return flow.state as Extract<FlowState, { step: S }>;
}

/** The selfie step with the fixture frames for each pose asked. */
async function takeSelfies(flow: VerificationFlow) {
  const selfie = expectStep(flow, "selfie");
  const frames = await selfieFramesFor(success, {
    poses: selfie.poses as Pose[],
    nonce: "mobile-app-test",
  });
  for (const frame of frames) await flow.addSelfieFrame(frame);
}

Deno.test("mobile app: a full test-mode verification succeeds through the app's logic", async () => {
  const { t, url, passport } = await sharedWorld();
  const { id, link } = await handoffLink(t);
  const { adapter, reads } = emulatedNfc(passport);
  const { flow, states } = newFlow(url, adapter);
  await flow.openLink(link);
  const details = expectStep(flow, "details");
  assert.equal(details.mode, "test");
  assert.ok(details.shareFields.some((f) => f.key === "family_name"));
  await flow.continueToMrz();
  assert.equal(await flow.submitMrz(typedEntry(passport)), true);
  expectStep(flow, "nfc");
  await flow.readChip();
  const expected = ["com", "sod", "dg1", "dg2", "dg11", "dg12", "dg14", "dg15"]
    .filter((f) =>
      f === "com" || f === "sod" ||
      passport.files.dataGroups.has(Number(f.slice(2)))
    );
  assert.deepEqual(reads[0].filter((f) => f !== "cardAccess"), expected);
  assert.ok(
    states.some((s) => s.step === "nfc" && s.phase === "reading" && s.file === "dg2"),
  );
  assert.ok(states.some((s) => s.step === "uploading"));
  await takeSelfies(flow);
  const confirm = expectStep(flow, "confirm");
  assert.ok(confirm.shareFields.some((f) => f.key === "family_name"));
  await flow.confirm(true);
  const result = expectStep(flow, "result");
  assert.equal(result.status, "succeeded", JSON.stringify(result));
  assert.equal(result.returnUrl, `${url}/verify/${id}`);
  assert.equal((await getSessionRecord(t.deps.kv, id))?.status, "completed");
  // Nothing personal reaches the UI state (it is what a screen reader or a crash log could see).
  const mrz = passport.mrzFields;
  const rendered = JSON.stringify(states);
  for (
    const secret of [mrz.documentNumber, accessKeyFor(passport).dateOfBirth]
  ) {
    assert.ok(!rendered.includes(secret));
  }
});

Deno.test("mobile app: the QR code's short link resolves to the handoff; a bad code says so", async () => {
  const { t, url, passport } = await sharedWorld();
  const { id, shortLink } = await handoffLink(t);
  assert.ok(shortLink.startsWith(`${url}/h#`), shortLink);
  const { flow } = newFlow(url, emulatedNfc(passport).adapter);
  await flow.openLink(shortLink);
  assert.equal(expectStep(flow, "details").mode, "test");
  await flow.continueToMrz();
  assert.equal(await flow.submitMrz(typedEntry(passport)), true);
  expectStep(flow, "nfc");
  assert.equal((await getSessionRecord(t.deps.kv, id))?.status, "in_progress");
  flow.cancel();
  // A code that was never issued: the server's refusal, and nothing claimed.
  const forged = `${url}/h#${"A".repeat(43)}`;
  const { flow: other } = newFlow(url, emulatedNfc(passport).adapter);
  await other.openLink(forged);
  assert.equal(expectStep(other, "error").code, "HANDOFF_TOKEN_INVALID");
  assert.equal(
    expectStep(other, "error").message,
    serverErrorMessage("HANDOFF_TOKEN_INVALID"),
  );
});

Deno.test("mobile app: wrong MRZ data says so and goes back to the entry", async () => {
  const { t, url, passport } = await sharedWorld();
  const { link } = await handoffLink(t);
  const { adapter } = emulatedNfc(passport);
  const { flow } = newFlow(url, adapter);
  await flow.openLink(link);
  await flow.continueToMrz();
  // A typo the check digits cannot catch: a valid but wrong date of birth.
  assert.equal(await flow.submitMrz(typedEntry(passport, true)), true);
  await flow.readChip();
  const error = expectStep(flow, "error");
  assert.equal(error.code, "mrz_key_rejected");
  assert.equal(error.message, chipErrorMessage("mrz_key_rejected"));
  assert.equal(error.retry, "mrz");
  await flow.retry();
  expectStep(flow, "mrz");
  // A typed check digit that does not match stays on the entry screen.
  assert.equal(
    await flow.submitMrz({
      ...typedEntry(passport),
      documentNumberCheckDigit: "x",
    }),
    false,
  );
  assert.equal(expectStep(flow, "mrz").error, "Check the highlighted fields.");
  assert.equal(await flow.submitMrz(typedEntry(passport)), true);
  await flow.readChip();
  expectStep(flow, "selfie");
  flow.cancel();
});

Deno.test("mobile app: a lost tag says hold still, and a new NFC session resumes", async () => {
  const { t, url, passport } = await sharedWorld();
  // Lost for a moment and found again within the session: "hold still", the read completes.
  {
    const { link } = await handoffLink(t);
    const { adapter } = emulatedNfc(passport, [{
      faults: { tagLost: { file: "dg2", atOffset: 1 } },
    }]);
    const { flow, states } = newFlow(url, adapter);
    await flow.openLink(link);
    await flow.continueToMrz();
    await flow.submitMrz(typedEntry(passport));
    await flow.readChip();
    assert.ok(states.some((s) => s.step === "nfc" && s.hint === HOLD_STILL));
    expectStep(flow, "selfie");
    flow.cancel();
  }
  // The NFC session ends (the document moved away): the message, then resume where it stopped.
  const { link } = await handoffLink(t);
  const { adapter, reads } = emulatedNfc(passport, [
    {
      faults: { tagLost: { file: "dg2", atOffset: 1, times: 10 } },
      noReconnect: true,
    },
    {},
  ]);
  const { flow } = newFlow(url, adapter);
  await flow.openLink(link);
  await flow.continueToMrz();
  await flow.submitMrz(typedEntry(passport));
  await flow.readChip();
  const error = expectStep(flow, "error");
  assert.equal(error.code, "tag_lost");
  assert.match(error.message, /Hold the document still/);
  assert.match(error.message, /Your progress is kept/);
  assert.equal(error.retry, "nfc");
  await flow.retry();
  assert.equal(expectStep(flow, "nfc").phase, "waiting");
  await flow.readChip();
  const second = reads[1].filter((f) => f !== "cardAccess");
  assert.equal(second[0], "dg2", `the second session starts at DG2: ${second}`);
  assert.ok(!second.includes("sod") && !second.includes("dg1"));
  await takeSelfies(flow);
  await flow.confirm(true);
  assert.equal(expectStep(flow, "result").status, "succeeded");
});

Deno.test("mobile app: server refusals and refused links show their message", async () => {
  const { t, url, passport } = await sharedWorld();
  const { link, id } = await handoffLink(t);
  // A link for a server the app is not configured for: refused before any request.
  let requests = 0;
  const other = new VerificationFlow({
    config: config("https://id.example.com"),
    deviceId: () => Promise.resolve("x"),
    nfc: emulatedNfc(passport).adapter,
    fetch: () => {
      requests++;
      return Promise.reject(new Error("no request expected"));
    },
  });
  await other.openLink(link);
  assert.equal(expectStep(other, "error").code, "server_not_allowed");
  assert.equal(
    expectStep(other, "error").message,
    linkErrorMessage("server_not_allowed"),
  );
  assert.equal(requests, 0);
  // A session that does not exist: the details endpoint's refusal.
  const missing = link.replaceAll(id, `vs_${"0".repeat(64)}`);
  const lost = newFlow(url, emulatedNfc(passport).adapter).flow;
  await lost.openLink(missing);
  assert.equal(expectStep(lost, "error").code, "NOT_FOUND");
  assert.equal(
    expectStep(lost, "error").message,
    serverErrorMessage("NOT_FOUND"),
  );
  // The server cannot be reached: the message, and "Try again" opens the same link again.
  let calls = 0;
  const offline = new VerificationFlow({
    config: config(url),
    deviceId: () => Promise.resolve("offline-phone"),
    nfc: emulatedNfc(passport).adapter,
    fetch: (input, init) =>
      ++calls === 1 ? Promise.reject(new TypeError("network down")) : fetch(input, init),
  });
  await offline.openLink(link);
  const down = expectStep(offline, "error");
  assert.equal(down.code, "CONNECTION_FAILED");
  assert.equal(down.message, serverErrorMessage("CONNECTION_FAILED"));
  assert.equal(down.retry, "link");
  await offline.retry();
  expectStep(offline, "details");
  // Phone A claims the attempt; phone B with the same code is refused by the server.
  const a = newFlow(url, emulatedNfc(passport).adapter, { deviceId: "phone-a" }).flow;
  await a.openLink(link);
  await a.continueToMrz();
  assert.equal(await a.submitMrz(typedEntry(passport)), true);
  const b = newFlow(url, emulatedNfc(passport).adapter, { deviceId: "phone-b" }).flow;
  await b.openLink(link);
  await b.continueToMrz();
  const refused = expectStep(b, "error");
  assert.equal(refused.code, "HANDOFF_DEVICE_MISMATCH");
  assert.equal(refused.message, serverErrorMessage("HANDOFF_DEVICE_MISMATCH"));
  assert.equal(refused.retry, null);
  a.cancel();
});

/** WebSockets whose first frame matching `drop` closes the connection instead of going out. */
function droppingSockets(drop: (message: Record<string, unknown>) => boolean) {
  const sent: Array<Record<string, unknown>> = [];
  let dropped = 0;
  const factory: SocketFactory = (url) => {
    const socket = new WebSocket(url);
    const send = socket.send.bind(socket);
    socket.send = (text: string) => {
      const message = JSON.parse(text);
      if (dropped === 0 && drop(message)) {
        dropped++;
        socket.close();
        return;
      }
      sent.push(message);
      send(text);
    };
    return socket as unknown as SocketLike;
  };
  return { factory, sent, dropped: () => dropped };
}

Deno.test("mobile app: a dropped socket resumes on its own, and on the user's retry", async () => {
  const { t, url, passport } = await sharedWorld();
  {
    const { link } = await handoffLink(t);
    const sockets = droppingSockets((m) => m.type === "artifact_chunk" && m.artifact === "dg2");
    const { flow } = newFlow(url, emulatedNfc(passport).adapter, {
      sockets: sockets.factory,
    });
    await flow.openLink(link);
    await flow.continueToMrz();
    await flow.submitMrz(typedEntry(passport));
    await flow.readChip();
    expectStep(flow, "selfie");
    assert.equal(sockets.dropped(), 1);
    const begins = (name: string) =>
      sockets.sent.filter((m) => m.type === "artifact_begin" && m.artifact === name).length;
    assert.equal(sockets.sent.filter((m) => m.type === "hello").length, 2);
    assert.equal(begins("sod"), 1, "what the server held was not sent again");
    assert.equal(begins("dg2"), 2);
    await takeSelfies(flow);
    await flow.confirm(true);
    assert.equal(expectStep(flow, "result").status, "succeeded");
  }
  // No automatic reconnection left: the message, then the user's retry resumes at frame 1.
  const { link } = await handoffLink(t);
  const sockets = droppingSockets((m) => m.type === "artifact_begin" && m.index === 1);
  const { flow } = newFlow(url, emulatedNfc(passport).adapter, {
    sockets: sockets.factory,
    reconnects: 0,
  });
  await flow.openLink(link);
  await flow.continueToMrz();
  await flow.submitMrz(typedEntry(passport));
  await flow.readChip();
  const selfie = expectStep(flow, "selfie");
  const frames = await selfieFramesFor(success, {
    poses: selfie.poses as Pose[],
    nonce: "mobile-app-test",
  });
  await flow.addSelfieFrame(frames[0]);
  await flow.addSelfieFrame(frames[1]);
  const error = expectStep(flow, "error");
  assert.equal(error.code, "CONNECTION_LOST");
  assert.equal(error.message, serverErrorMessage("CONNECTION_LOST"));
  assert.equal(error.retry, "connect");
  await flow.retry();
  assert.equal(expectStep(flow, "selfie").index, 1);
  for (const frame of frames.slice(1)) await flow.addSelfieFrame(frame);
  await flow.confirm(true);
  assert.equal(expectStep(flow, "result").status, "succeeded");
});

Deno.test("mobile app: a cancel on the website while the user takes selfies ends the flow at once", async () => {
  const { t, url, passport } = await sharedWorld();
  const { id, link } = await handoffLink(t);
  const { flow } = newFlow(url, emulatedNfc(passport).adapter);
  await flow.openLink(link);
  await flow.continueToMrz();
  await flow.submitMrz(typedEntry(passport));
  await flow.readChip();
  expectStep(flow, "selfie");
  const ended = new Promise<FlowState>((resolve) =>
    flow.subscribe((s) => s.step === "result" && resolve(s))
  );
  const cancel = await t.app.request(`/v1/sessions/${id}/cancel`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.secret}` },
  });
  assert.equal(cancel.status, 200);
  const result = await ended as Extract<FlowState, { step: "result" }>;
  assert.equal(result.status, "cancelled");
  assert.equal(result.failureCode, "session_cancelled");
  assert.equal(result.message, "The verification was cancelled.");
});

Deno.test("mobile app: an NFC stack without extended length gets short reads only", async () => {
  const { passport } = await sharedWorld();
  const reads = async (readerOptions?: NfcSession["readerOptions"]) => {
    const transport = emulatedTransportFor(passport);
    let count = 0;
    let longest = 0;
    const session: NfcSession = {
      transceive: async (apdu) => {
        const response = await transport.transceive(apdu);
        if (apdu[1] === 0xb0 || apdu[1] === 0xb1) {
          count++;
          longest = Math.max(longest, response.length);
        }
        return response;
      },
      close: () => Promise.resolve(),
      readerOptions,
    };
    const files = new Map();
    await runChipSession(session, accessKeyFor(passport), files, new Set(), {
      aaChallenge: null,
      chipAuthenticationStart: () => Promise.resolve(null),
      relay: () => Promise.resolve(),
    }, () => {});
    assert.ok(files.has("dg2"));
    return { count, longest };
  };
  const extended = await reads();
  const short = await reads({ preferExtendedLength: false });
  assert.ok(
    short.longest <= 258,
    `short reads answer at most 256 + SW: ${short.longest}`,
  );
  assert.ok(extended.longest > 258);
  assert.ok(short.count > extended.count);
});

/**
 * Real WebSockets to the server, with `answer` able to answer a message in the server's place:
 * it gets the app's message and the socket, and returns true when it answered (nothing is sent).
 */
function answeringSockets(
  answer: (message: Record<string, unknown>, socket: SocketLike, n: number) => boolean,
) {
  const sent: Array<Record<string, unknown>> = [];
  let opened = 0;
  const factory: SocketFactory = (url) => {
    const n = ++opened;
    const socket = new WebSocket(url) as unknown as SocketLike & WebSocket;
    const send = socket.send.bind(socket);
    socket.send = (text: string) => {
      const message = JSON.parse(text);
      sent.push(message);
      if (!answer(message, socket, n)) send(text);
    };
    return socket;
  };
  return { factory, sent, opened: () => opened };
}

Deno.test("mobile app: HELLO_TIMEOUT (4009) offers Try again, which says hello again and goes on", async () => {
  const { t, url, passport } = await sharedWorld();
  const { link } = await handoffLink(t);
  const sockets = answeringSockets((message, socket, n) => {
    if (n !== 1 || message.type !== "hello") return false;
    setTimeout(() => {
      socket.onmessage?.({
        data: JSON.stringify({ v: 1, type: "error", code: "HELLO_TIMEOUT", fatal: true }),
      });
      socket.close(4009);
    }, 0);
    return true;
  });
  const { flow } = newFlow(url, emulatedNfc(passport).adapter, { sockets: sockets.factory });
  await flow.openLink(link);
  await flow.continueToMrz();
  const error = expectStep(flow, "error");
  assert.equal(error.code, "HELLO_TIMEOUT");
  assert.equal(error.message, serverErrorMessage("HELLO_TIMEOUT"));
  assert.equal(error.retry, "connect");
  await flow.retry();
  expectStep(flow, "mrz");
  assert.equal(sockets.opened(), 2);
  await flow.submitMrz(typedEntry(passport));
  await flow.readChip();
  await takeSelfies(flow);
  await flow.confirm(true);
  assert.equal(expectStep(flow, "result").status, "succeeded");
});

Deno.test("mobile app: RESULT_IN_PROGRESS is waited out, asking again, not shown as the end", async () => {
  const { t, url, passport } = await sharedWorld();
  const { link } = await handoffLink(t);
  let busy = 0;
  const sockets = answeringSockets((message, socket) => {
    if (message.type !== "result" || busy >= 2) return false;
    busy++;
    setTimeout(() => {
      socket.onmessage?.({
        data: JSON.stringify({ v: 1, type: "error", code: "RESULT_IN_PROGRESS", fatal: false }),
      });
    }, 0);
    return true;
  });
  const { flow } = newFlow(url, emulatedNfc(passport).adapter, { sockets: sockets.factory });
  await flow.openLink(link);
  await flow.continueToMrz();
  await flow.submitMrz(typedEntry(passport));
  await flow.readChip();
  await takeSelfies(flow);
  await flow.confirm(true);
  assert.equal(expectStep(flow, "result").status, "succeeded");
  assert.equal(sockets.sent.filter((m) => m.type === "result").length, 3);
  assert.equal(sockets.opened(), 1, "on the same connection");
});

Deno.test("mobile app: a resume that lost the uploads (another instance) asks for the chip again", async () => {
  const { t, url, passport } = await sharedWorld();
  const { link } = await handoffLink(t);
  let firstHello: Record<string, unknown> | null = null;
  const secondSent: Array<Record<string, unknown>> = [];
  let opened = 0;
  const factory: SocketFactory = (socketUrl) => {
    if (++opened === 1) {
      // The first instance: the real server, until the app starts the selfie.
      const socket = new WebSocket(socketUrl);
      let appHandler: ((event: { data: unknown }) => void) | null = null;
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data));
        if (message.type === "hello_ok") firstHello = message;
        appHandler?.(event);
      };
      const send = socket.send.bind(socket);
      const wrapped = {
        send(text: string) {
          if (JSON.parse(text).type === "selfie_start") return socket.close();
          send(text);
        },
        close: (code?: number) => socket.close(code),
        set onmessage(handler: ((event: { data: unknown }) => void) | null) {
          appHandler = handler;
        },
        get onmessage() {
          return appHandler;
        },
        set onopen(handler: ((event: unknown) => void) | null) {
          socket.onopen = handler;
        },
        set onclose(handler: ((event: { code: number; reason: string }) => void) | null) {
          socket.onclose = handler;
        },
        set onerror(handler: ((event: unknown) => void) | null) {
          socket.onerror = handler;
        },
      };
      return wrapped as unknown as SocketLike;
    }
    // Another instance: it resumes the attempt but holds nothing, with a new AA challenge (§4).
    const fake: SocketLike = {
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      send(text: string) {
        const message = JSON.parse(text);
        secondSent.push(message);
        if (message.type !== "hello") return;
        const hello = {
          ...firstHello,
          resumed: true,
          received: [],
          aa_challenge: btoa("a new challenge"),
        };
        setTimeout(() => fake.onmessage?.({ data: JSON.stringify(hello) }), 0);
      },
      close() {},
    };
    setTimeout(() => fake.onopen?.({}), 0);
    return fake;
  };
  const { flow } = newFlow(url, emulatedNfc(passport).adapter, { sockets: factory });
  await flow.openLink(link);
  await flow.continueToMrz();
  await flow.submitMrz(typedEntry(passport));
  await flow.readChip();
  const error = expectStep(flow, "error");
  assert.equal(error.code, "read_chip_again");
  assert.equal(error.retry, "nfc", "the chip answers the new challenge");
  assert.deepEqual(secondSent.map((m) => m.type), ["hello"], "no selfie without the documents");
  await flow.retry();
  expectStep(flow, "nfc");
  flow.cancel();
});
