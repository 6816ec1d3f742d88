/**
 * The server-rendered parts of the verify page (no JavaScript needed): the test-mode banner,
 * the consent intro and "what is checked" statement, the summary of what the user agreed to
 * share, and the not-found / rate-limited pages.
 */
import type { VerifyCopy } from "../../lib/i18n/verify_copy.ts";
import type { ConsentField } from "../../islands/ConsentForm.tsx";
import ConsentChangeLink from "../../islands/ConsentChangeLink.tsx";
import type { PublicStatus } from "./verify_status.ts";

/** The visible banner of a test-mode session (docs/api.md#test-and-live). */
export function TestModeBanner({ copy }: { copy: VerifyCopy }) {
  return (
    <div class="test-banner" role="note" data-testid="test-mode-banner">
      <strong>{copy.testModeBanner}</strong> <span>{copy.testModeDetail}</span>
    </div>
  );
}

/** Heading and intro: who asks and what happens. */
export function ConsentIntro({ copy, org }: { copy: VerifyCopy; org: string }) {
  return (
    <header class="verify-intro">
      <h1>{copy.consent.heading(org)}</h1>
      <p>{copy.consent.intro(org)}</p>
    </header>
  );
}

/** The statement of what is checked and that nothing is kept. */
export function WhatIsChecked({ copy }: { copy: VerifyCopy }) {
  return (
    <section class="card checked" aria-labelledby="checked-heading">
      <h2 id="checked-heading">{copy.consent.whatIsChecked}</h2>
      <ul>
        {copy.consent.checkedList.map((line) => <li key={line}>{line}</li>)}
      </ul>
      <p class="nothing-kept" data-testid="nothing-kept">{copy.consent.nothingKept}</p>
    </section>
  );
}

/** What the user agreed to share, with a link back to the choice while it may still change. */
export function ConsentSummary(
  { copy, fields, keys, changeUrl, status }: {
    copy: VerifyCopy;
    fields: ConsentField[];
    keys: string[];
    changeUrl: string | null;
    status: PublicStatus;
  },
) {
  const chosen = fields.filter((f) => keys.includes(f.key));
  return (
    <section class="card consent-summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">{copy.consent.legend}</h2>
      <ul class="claim-list compact" data-testid="consent-summary">
        {chosen.map((f) => (
          <li key={f.key} data-claim={f.key}>
            <strong>{f.label}</strong> <span class="muted">— {f.reason}</span>
          </li>
        ))}
      </ul>
      {changeUrl ? <ConsentChangeLink href={changeUrl} initialStatus={status} /> : null}
    </section>
  );
}

/** The page for an unknown or malformed session id. */
export function SessionNotFound({ copy }: { copy: VerifyCopy }) {
  return (
    <section class="card">
      <h1>{copy.notFoundTitle}</h1>
      <p>{copy.notFoundBody}</p>
    </section>
  );
}

/** The page when the public endpoints' rate limit is reached. */
export function TooManyRequests({ copy }: { copy: VerifyCopy }) {
  return (
    <section class="card">
      <h1>{copy.pageTitle}</h1>
      <p class="notice error" role="alert">{copy.tooManyRequests}</p>
    </section>
  );
}
