import assert from "node:assert/strict";
import { createLogger, PersonalDataInLogError } from "./logger.ts";

function capture(strict: boolean) {
  const lines: string[] = [];
  const logger = createLogger({ level: "debug", strict, sink: (l) => lines.push(l) });
  return { logger, lines };
}

Deno.test("log lines are JSON with ids and codes", () => {
  const { logger, lines } = capture(true);
  logger.info("session.created", { session_id: "vs_1", failure_code: "document_expired" });
  const line = JSON.parse(lines[0]);
  assert.equal(line.event, "session.created");
  assert.equal(line.session_id, "vs_1");
  assert.equal(line.failure_code, "document_expired");
});

Deno.test("personal data fields are refused", () => {
  const { logger } = capture(true);
  for (
    const field of [
      "family_name",
      "date_of_birth",
      "mrz",
      "portrait",
      "selfie",
      "face_score",
      "email",
      "api_secret",
    ]
  ) {
    assert.throws(() => logger.info("x", { [field]: "value" }), PersonalDataInLogError, field);
  }
  assert.throws(
    () => logger.info("x", { note: "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" }),
    PersonalDataInLogError,
  );
});

Deno.test("outside strict mode refused fields are dropped and named", () => {
  const { logger, lines } = capture(false);
  logger.warn("x", { given_names: "Anna", session_id: "vs_2" });
  const line = JSON.parse(lines[0]);
  assert.equal(line.given_names, undefined);
  assert.equal(line.refused_fields, "given_names");
  assert.equal(line.session_id, "vs_2");
  assert.doesNotMatch(lines[0], /Anna/);
});

Deno.test("levels below the minimum are dropped", () => {
  const lines: string[] = [];
  const logger = createLogger({ level: "warn", sink: (l) => lines.push(l) });
  logger.info("quiet");
  logger.error("loud");
  assert.equal(lines.length, 1);
});
