/**
 * "Change what I share": offered while the choice may still change (docs/verify-pages.md: until a phone
 * claims an attempt), so it disappears live once the session moves on.
 */
import { useLiveStatus } from "../components/verify/status_store.ts";
import type { PublicStatus } from "../components/verify/verify_status.ts";
import { verifyCopyFor } from "../lib/i18n/verify_copy.ts";

/** Props: where the consent form is and the server-rendered status. */
export interface ConsentChangeLinkProps {
  href: string;
  initialStatus: PublicStatus;
}

export default function ConsentChangeLink({ href, initialStatus }: ConsentChangeLinkProps) {
  const status = useLiveStatus(initialStatus);
  if (status.status !== "created") return <span class="change-gone" hidden />;
  return <a href={href} data-testid="change-consent">{verifyCopyFor().consent.changeChoice}</a>;
}
