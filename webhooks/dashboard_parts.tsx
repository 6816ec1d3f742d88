/**
 * Small server-rendered pieces shared by the webhook dashboard pages: the sub-navigation, date
 * formatting, and turning a thrown `ApiError` (retry, replay conflicts) into a message.
 */
import type { Organization } from "../lib/accounts/organizations.ts";
import { ApiError } from "../lib/http/errors.ts";

const TABS = [
  ["", "Endpoints"],
  ["/deliveries", "Deliveries"],
  ["/events", "Events"],
] as const;

/** Tabs inside the Webhooks section. */
export function WebhooksNav({ org, current }: { org: Organization; current: string }) {
  return (
    <nav class="row" aria-label="Webhooks">
      {TABS.map(([suffix, label]) => (
        <a
          key={suffix}
          href={`/organizations/${org.slug}/webhooks${suffix}`}
          aria-current={suffix === current ? "page" : undefined}
        >
          {label}
        </a>
      ))}
    </nav>
  );
}

/** What the page says under a signing secret: unlike an API key, it can be revealed again. */
export const REVEAL_NOTE =
  "copy it into your receiver's configuration. Owners can reveal it again on the endpoint's page.";

/** `2026-06-01 12:00 UTC`, or a dash. */
export function when(iso: string | null | undefined): string {
  return iso ? `${iso.replace("T", " ").slice(0, 16)} UTC` : "—";
}

/** The message of an `ApiError` with its code; other errors are rethrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  throw error;
}
