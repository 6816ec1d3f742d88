/**
 * The live session status shared by the verify page's islands in the browser. The islands are
 * hydrated separately but from one bundle, so this module's state is shared: LiveStatus starts
 * the single poller of `GET /v1/verify/session/:id/status`; the handoff, cancel and simulate
 * islands subscribe, and ask for an immediate refresh after they change something.
 */
import { useEffect, useState } from "preact/hooks";
import type { PublicStatus } from "./verify_status.ts";

type Listener = (status: PublicStatus) => void;

/** How often the status is polled (the endpoint allows 120 requests a minute per session). */
export const STATUS_POLL_MS = 1500;

const listeners = new Set<Listener>();
let current: PublicStatus | null = null;
let pollTimer: ReturnType<typeof setTimeout> | null = null;
let pollingSession: string | null = null;
let failures = 0;
const failureListeners = new Set<(failing: boolean) => void>();

/** The last status seen (the server-rendered one until the first poll answers). */
export function currentStatus(): PublicStatus | null {
  return current;
}

/**
 * The live status in an island: the server-rendered one first, then every update. The store is
 * touched only in effects, which never run on the server (where module state would be shared
 * between requests).
 */
export function useLiveStatus(initial: PublicStatus): PublicStatus {
  const [status, setStatus] = useState(initial);
  useEffect(() => {
    seedStatus(initial);
    const known = currentStatus();
    if (known && known !== initial) setStatus(known);
    return subscribeStatus(setStatus);
  }, []);
  return status;
}

/** Seeds the store with the server-rendered status (ignored once a newer one is known). */
export function seedStatus(status: PublicStatus): void {
  if (!current) current = status;
}

/** Publishes a status to every subscriber. */
export function publishStatus(status: PublicStatus): void {
  current = status;
  for (const listener of listeners) listener(status);
}

/** Calls `listener` on every new status; returns the unsubscribe function. */
export function subscribeStatus(listener: Listener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Calls `listener` when polling starts or stops failing (network trouble). */
export function subscribePollFailures(listener: (failing: boolean) => void): () => void {
  failureListeners.add(listener);
  return () => {
    failureListeners.delete(listener);
  };
}

/** Reads the status once from the public endpoint. */
export async function fetchStatus(sessionId: string): Promise<PublicStatus> {
  const response = await fetch(`/v1/verify/session/${encodeURIComponent(sessionId)}/status`, {
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  const body = await response.json() as { data: PublicStatus | null };
  if (!response.ok || !body.data) throw new Error(`status ${response.status}`);
  return body.data;
}

/** Starts polling a session until it is terminal (once per page; later calls do nothing). */
export function startPolling(sessionId: string, intervalMs: number = STATUS_POLL_MS): void {
  if (pollingSession) return;
  pollingSession = sessionId;
  const tick = async () => {
    pollTimer = null;
    await pollOnce(sessionId);
    if (!current?.is_terminal) pollTimer = setTimeout(tick, backoff(intervalMs));
  };
  pollTimer = setTimeout(tick, intervalMs);
}

/** Polls right now (after the page changed something), then continues on the usual rhythm. */
export async function refreshNow(): Promise<void> {
  if (!pollingSession && !current) return;
  const sessionId = pollingSession ?? current!.session_id;
  await pollOnce(sessionId);
}

async function pollOnce(sessionId: string): Promise<void> {
  try {
    publishStatus(await fetchStatus(sessionId));
    if (failures > 0) notifyFailing(false);
    failures = 0;
  } catch {
    failures++;
    if (failures === 2) notifyFailing(true);
  }
}

function notifyFailing(failing: boolean): void {
  for (const listener of failureListeners) listener(failing);
}

// After failures (offline, rate-limited), wait longer, up to 15 s.
function backoff(intervalMs: number): number {
  return Math.min(intervalMs * 2 ** Math.min(failures, 4), 15_000);
}

/** Stops polling (tests and page teardown). */
export function stopPolling(): void {
  if (pollTimer) clearTimeout(pollTimer);
  pollTimer = null;
  pollingSession = null;
}
