/**
 * The environment `deno task start` gives the server (`NAME=value` before its `deno run`), read
 * from deno.json: the benches run the server as the task does, so they cannot drift apart.
 */

/** The deno.json of the repository. */
export const DENO_JSON = new URL("../deno.json", import.meta.url);

/** The variables the `start` task sets in front of its `deno run`. */
export function startTaskEnv(denoJson: string): Record<string, string> {
  const start: unknown = JSON.parse(denoJson).tasks?.start;
  if (typeof start !== "string") throw new Error("deno.json has no start task");
  const run = start.split("&&").map((part) => part.trim()).find((part) =>
    /^(?:\w+=\S*\s+)*deno run\b/.test(part)
  );
  if (!run) throw new Error("the start task has no `deno run`");
  const env: Record<string, string> = {};
  for (const assignment of run.slice(0, run.indexOf("deno run")).split(/\s+/).filter(Boolean)) {
    const equals = assignment.indexOf("=");
    env[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  }
  return env;
}

/** {@link startTaskEnv} of this repository. */
export async function repositoryStartEnv(): Promise<Record<string, string>> {
  return startTaskEnv(await Deno.readTextFile(DENO_JSON));
}
