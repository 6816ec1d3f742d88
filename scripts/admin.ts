/**
 * `deno task admin <command>`: administration for self-hosters and automation.
 *
 *   create-org --name <name> --slug <slug> --owner-email <email> --owner-password <password>
 *   create-key --org <slug> --name <name> --scopes a,b --mode test|live [--json]
 *   list-orgs [--json]
 *   reset-password --email <email> [--password <password>] [--json]
 *
 * `reset-password` is for self-hosters without a mail server: it sets a new password (a random
 * one, printed once, unless `--password` is given) and signs the user out of every session.
 *
 * Uses the same configuration (environment) and KV as the server. Exit codes: 0 done,
 * 1 refused (the message says why), 2 usage error.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../lib/core/config.ts";
import { createPlatform } from "../lib/platform.ts";
import type { AppDeps } from "../lib/deps.ts";
import {
  createUser,
  EmailTakenError,
  getUserByEmail,
  updateUserSecurity,
} from "../lib/accounts/users.ts";
import { randomToken } from "../lib/core/ids.ts";
import { hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "../lib/accounts/passwords.ts";
import {
  createOrganization,
  getOrganizationBySlug,
  listMembers,
  listOrganizations,
  SLUG_PATTERN,
  SlugTakenError,
} from "../lib/accounts/organizations.ts";
import { createApiKey, type KeyMode, type Scope, SCOPES } from "../lib/api_keys/api_keys.ts";
import { createLogger } from "../lib/core/logger.ts";
import { StartupRefused } from "../lib/core/startup_checks.ts";

const USAGE = `usage: deno task admin <command> [options]
  create-org --name <name> --slug <slug> --owner-email <email> --owner-password <password>
  create-key --org <slug> --name <name> --scopes ${SCOPES.join(",")} --mode test|live [--json]
  list-orgs [--json]
  reset-password --email <email> [--password <password>] [--json]`;

/** A refusal with a message for the operator. */
class Refused extends Error {}

/** Runs one admin command; returns the text to print. */
export async function runAdmin(deps: AppDeps, argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: "string" },
      slug: { type: "string" },
      "owner-email": { type: "string" },
      "owner-password": { type: "string" },
      org: { type: "string" },
      scopes: { type: "string" },
      mode: { type: "string" },
      email: { type: "string" },
      password: { type: "string" },
      json: { type: "boolean", default: false },
    },
    strict: true,
  });
  switch (command) {
    case "create-org":
      return await createOrg(deps, values);
    case "create-key":
      return await createKey(deps, values);
    case "list-orgs":
      return await listOrgs(deps, values.json ?? false);
    case "reset-password":
      return await resetPassword(deps, values);
    default:
      throw new TypeError(USAGE);
  }
}

async function createOrg(deps: AppDeps, v: Record<string, string | boolean | undefined>) {
  const name = String(v.name ?? "").trim();
  const slug = String(v.slug ?? "");
  const email = String(v["owner-email"] ?? "").trim();
  const password = String(v["owner-password"] ?? "");
  if (!name || !slug || !email || !password) throw new TypeError(USAGE);
  if (!SLUG_PATTERN.test(slug)) {
    throw new Refused("the slug uses 2–48 lowercase letters, digits and dashes");
  }
  if (await getOrganizationBySlug(deps.kv, slug)) throw new Refused(`the slug "${slug}" is taken`);
  let user = await getUserByEmail(deps.kv, email);
  if (user && !await verifyPassword(password, user.passwordHash)) {
    throw new Refused("a user with this email exists and the password does not match");
  }
  if (!user) {
    if (password.length < MIN_PASSWORD_LENGTH) {
      throw new Refused(`the owner password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    try {
      user = await createUser(
        deps.kv,
        { email, passwordHash: await hashPassword(password) },
        deps.clock,
        deps.random,
      );
    } catch (error) {
      if (error instanceof EmailTakenError) {
        throw new Refused("a user with this email was just created; retry");
      }
      throw error;
    }
  }
  try {
    const org = await createOrganization(
      deps.kv,
      { name, slug, ownerId: user.id },
      deps.clock,
      deps.random,
    );
    return v.json
      ? JSON.stringify({ id: org.id, slug: org.slug, name: org.name, owner_id: user.id })
      : `created organization ${org.slug} (${org.id}) owned by ${user.id}`;
  } catch (error) {
    if (error instanceof SlugTakenError) throw new Refused(`the slug "${slug}" is taken`);
    throw error;
  }
}

async function createKey(deps: AppDeps, v: Record<string, string | boolean | undefined>) {
  const slug = String(v.org ?? "");
  const name = String(v.name ?? "").trim();
  const mode = String(v.mode ?? "") as KeyMode;
  const scopes = String(v.scopes ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  if (!slug || !name || !scopes.length || !v.mode) throw new TypeError(USAGE);
  if (mode !== "test" && mode !== "live") throw new Refused("--mode is test or live");
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (unknown.length) {
    throw new Refused(`unknown scopes: ${unknown.join(", ")} (known: ${SCOPES.join(", ")})`);
  }
  const org = await getOrganizationBySlug(deps.kv, slug);
  if (!org) throw new Refused(`no organization with slug "${slug}"`);
  const { key, secret } = await createApiKey(deps, {
    orgId: org.id,
    name,
    scopes: scopes as Scope[],
    mode,
    createdBy: null,
  });
  return v.json
    ? JSON.stringify({ id: key.id, org: slug, name, mode, scopes: key.scopes, key: secret })
    : `${secret}\n(key ${key.id} for ${slug}, ${mode}, scopes ${key.scopes.join(",")}; shown once)`;
}

async function resetPassword(deps: AppDeps, v: Record<string, string | boolean | undefined>) {
  const email = String(v.email ?? "").trim();
  if (!email) throw new TypeError(USAGE);
  const user = await getUserByEmail(deps.kv, email);
  if (!user) throw new Refused(`no user with the email ${email}`);
  const given = v.password === undefined ? null : String(v.password);
  if (given !== null && given.length < MIN_PASSWORD_LENGTH) {
    throw new Refused(`the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const password = given ?? randomToken(18, deps.random);
  await updateUserSecurity(deps.kv, user.id, {
    passwordHash: await hashPassword(password),
    endSessions: true,
  });
  deps.logger.info("user.password_reset", { user_id: user.id, by: "admin" });
  if (v.json) {
    return JSON.stringify({ user_id: user.id, email: user.email, ...(given ? {} : { password }) });
  }
  return given
    ? `password of ${user.email} reset; every session signed out`
    : `${password}\n(new password of ${user.email}, shown once; every session signed out)`;
}

async function listOrgs(deps: AppDeps, json: boolean) {
  const orgs = await listOrganizations(deps.kv);
  const rows = await Promise.all(orgs.map(async (o) => ({
    id: o.id,
    slug: o.slug,
    name: o.name,
    members: (await listMembers(deps.kv, o.id)).length,
    created_at: o.createdAt,
  })));
  if (json) return JSON.stringify(rows);
  if (!rows.length) return "no organizations";
  return rows.map((r) => `${r.slug}\t${r.name}\t${r.members} member(s)\t${r.id}`).join("\n");
}

if (import.meta.main) {
  let deps: AppDeps | null = null;
  try {
    const config = loadConfig(Deno.env.toObject());
    deps =
      (await createPlatform(config, { logger: createLogger({ level: "warn" }), usageFlushMs: 0 }))
        .deps;
    console.log(await runAdmin(deps, Deno.args));
  } catch (error) {
    if (
      error instanceof TypeError || error instanceof ConfigError || error instanceof StartupRefused
    ) {
      console.error(error.message);
      Deno.exitCode = 2;
    } else if (error instanceof Refused) {
      console.error(`refused: ${error.message}`);
      Deno.exitCode = 1;
    } else throw error;
  } finally {
    deps?.kv.close();
  }
}
