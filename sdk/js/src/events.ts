/** The decrypted webhook events (the repository's `docs/webhooks.md`, section Events). */

/** Every event's `metadata`. */
export interface EventMetadata {
  contract_version: number;
  event_id: string;
  verification_session_id: string;
  verification_attempt_id?: string;
}

/** The consented claims, keyed by claim key (only the keys the user selected). */
export interface Claims {
  kayle_document_id?: string;
  kayle_human_id?: string;
  document_type_code?: string;
  issuing_country_code?: string;
  family_name?: string;
  given_names?: string;
  document_number?: string;
  nationality_code?: string;
  date_of_birth?: string;
  sex_marker?: string;
  document_expiry_date?: string;
  mrz_optional_data?: string;
  /** `age_over_N` keys. */
  [key: `age_over_${number}`]: boolean | undefined;
}

interface EventOf<Type extends string, Data> {
  type: Type;
  metadata: EventMetadata;
  data: Data;
}

/** Claims and their canonical order (the order of the session's share fields). */
export interface SucceededData {
  claims: Claims;
  selected_field_keys: string[];
}

/** A decrypted Kayle ID event; narrow it with `switch (event.type)`. */
export type KayleEvent =
  | EventOf<"verification.attempt.succeeded", SucceededData>
  | EventOf<"verification.attempt.failed", { failure_code: string; attempts_remaining: number }>
  | EventOf<"verification.session.succeeded", SucceededData>
  | EventOf<"verification.session.failed", { failure_code: string; attempts_used: number }>
  | EventOf<"verification.session.expired", Record<string, never>>
  | EventOf<
    "verification.session.cancelled",
    {
      reason: "cancelled" | "cancelled_after_failed_attempt";
      cancelled_by: "integrator" | "user";
    }
  >
  /** Sent from the dashboard or `webhookEndpoints.sendTestEvent`: accept it and ignore it. */
  | EventOf<"webhook.test", { endpoint_id: string; message: string }>;

/** An event type. */
export type KayleEventType = KayleEvent["type"];
