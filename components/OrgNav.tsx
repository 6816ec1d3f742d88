/** Navigation of an organization's dashboard pages. */
import type { Organization } from "../lib/accounts/organizations.ts";
import FindById from "../islands/FindById.tsx";

const LINKS = [
  ["", "Overview"],
  ["/api-keys", "API keys"],
  ["/members", "Members"],
  ["/sessions", "Sessions"],
  ["/analytics", "Analytics"],
  ["/webhooks", "Webhooks"],
  ["/settings", "Settings"],
] as const;

/** Tabs for the organization pages; `current` is the active suffix. */
export function OrgNav({ org, current }: { org: Organization; current: string }) {
  return (
    <nav class="org-nav" aria-label="Organization">
      <strong>{org.name}</strong>
      <a href="/organizations" class="switch-org">Switch organization</a>
      <ul>
        {LINKS.map(([suffix, label]) => (
          <li>
            <a
              href={`/organizations/${org.slug}${suffix}`}
              aria-current={suffix === current ? "page" : undefined}
            >
              {label}
            </a>
          </li>
        ))}
      </ul>
      <a href="/organizations/new" class="new-org">New organization</a>
      <FindById slug={org.slug} />
    </nav>
  );
}
