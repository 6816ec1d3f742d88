/**
 * Per-instance state of the webhooks layer, kept on `deps.services.webhooks`: this instance's
 * id (who holds a `delivering` claim; the id of its heartbeat, `lib/core/instances.ts`), the deliveries it is sending now, and how tries are made
 * (timeout, fetch, DNS — replaced in tests).
 */
import { instanceId } from "../lib/core/instances.ts";
import type { AppDeps } from "../lib/deps.ts";
import { GroupCommitter } from "../lib/core/group_commit.ts";
import { defaultSenderOptions, type SenderOptions } from "./sender.ts";

/** The webhooks layer's state in one instance. */
export interface WebhookRuntime {
  instanceId: string;
  sender: SenderOptions;
  /** Deliveries this instance is handling now (deciding, claiming or sending): the running job. */
  inFlight: Map<string, Promise<unknown>>;
  /** Commits of claims and outcomes: a burst's tries share KV commits (`group_commit.ts`). */
  commits: GroupCommitter;
  /** Imported signing keys by endpoint and sealed secret (`signingKeys` in `endpoints.ts`). */
  signingKeys: Map<string, Promise<CryptoKey>>;
}

/** The runtime of these dependencies, created on first use. */
export function webhookRuntime(deps: AppDeps): WebhookRuntime {
  let runtime = deps.services.webhooks;
  if (!runtime) {
    runtime = {
      instanceId: instanceId(deps),
      sender: defaultSenderOptions(deps.config.devMode),
      inFlight: new Map(),
      commits: new GroupCommitter(deps.kv),
      signingKeys: new Map(),
    };
    deps.services.webhooks = runtime;
  }
  return runtime;
}

/** Overrides how tries are made (tests: a short timeout, a fake resolver). */
export function configureWebhookSender(deps: AppDeps, overrides: Partial<SenderOptions>): void {
  const runtime = webhookRuntime(deps);
  runtime.sender = { ...runtime.sender, ...overrides };
}
