/**
 * The `deno run` of a task in deno.json, read from the file: its environment (`NAME=value` in front
 * of `deno run`) and its arguments. Benches and tests run the server and the face service the way
 * their tasks do, so the two cannot drift apart.
 */

/** The deno.json of the repository. */
export const DENO_JSON = new URL("../../deno.json", import.meta.url);

/** The `deno run` step of a task. */
export interface TaskRun {
  /** Variables set in front of `deno run`. */
  env: Record<string, string>;
  /** The arguments after `deno run` (flags, then the script and its arguments). */
  args: string[];
}

/** The `deno run` step of task `name` (other steps, such as `deno install -q`, are left out). */
export function taskRun(denoJson: string, name: string): TaskRun {
  const task: unknown = JSON.parse(denoJson).tasks?.[name];
  if (typeof task !== "string") throw new Error(`deno.json has no ${name} task`);
  const run = task.split("&&").map((part) => part.trim()).find((part) =>
    /^(?:\w+=\S*\s+)*deno run\s/.test(part)
  );
  if (!run) throw new Error(`the ${name} task has no \`deno run\``);
  const at = run.indexOf("deno run");
  const env: Record<string, string> = {};
  for (const assignment of run.slice(0, at).split(/\s+/).filter(Boolean)) {
    const equals = assignment.indexOf("=");
    env[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  }
  return { env, args: run.slice(at + "deno run".length).trim().split(/\s+/) };
}

/** {@link taskRun} of this repository's deno.json. */
export async function repositoryTaskRun(name: string): Promise<TaskRun> {
  return taskRun(await Deno.readTextFile(DENO_JSON), name);
}

/** The environment `deno task start` gives the server. */
export async function repositoryStartEnv(): Promise<Record<string, string>> {
  return (await repositoryTaskRun("start")).env;
}
