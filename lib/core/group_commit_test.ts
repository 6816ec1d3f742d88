import assert from "node:assert/strict";
import { GroupCommitter } from "./group_commit.ts";

Deno.test("commits made while one is in flight share one KV commit", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const commits = new GroupCommitter(kv);
    const results = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) =>
          commits.atomic().check({ key: ["k", i], versionstamp: null }).set(["k", i], i).commit(),
      ),
    );
    assert.ok(results.every((r) => r.ok));
    // The first went alone; the nine queued behind it went together.
    const stamps = new Set(results.map((r) => r.ok ? r.versionstamp : ""));
    assert.equal(stamps.size, 2);
    for (let i = 0; i < 10; i++) assert.equal((await kv.get(["k", i])).value, i);
  } finally {
    kv.close();
  }
});

Deno.test("a conflicting operation fails alone; the others of its batch commit", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["taken"], "already");
    const commits = new GroupCommitter(kv);
    const first = commits.atomic().set(["first"], 1).commit();
    const ok = commits.atomic().check({ key: ["a"], versionstamp: null }).set(["a"], 1).commit();
    const conflict = commits.atomic().check({ key: ["taken"], versionstamp: null })
      .set(["taken"], "mine").sum(["count"], 1n).commit();
    const ok2 = commits.atomic().set(["b"], 2).commit();
    const [r0, r1, r2, r3] = await Promise.all([first, ok, conflict, ok2]);
    assert.equal(r0.ok && r1.ok && r3.ok, true);
    assert.equal(r2.ok, false);
    assert.equal((await kv.get(["taken"])).value, "already");
    assert.equal((await kv.get(["count"])).value, null, "nothing of the conflicting one written");
    assert.equal((await kv.get(["a"])).value, 1);
    assert.equal((await kv.get(["b"])).value, 2);
  } finally {
    kv.close();
  }
});

Deno.test("an operation KV refuses throws for its own caller only", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const commits = new GroupCommitter(kv);
    const first = commits.atomic().set(["first"], 1).commit();
    const tooBig = commits.atomic().set(["big"], "x".repeat(70_000)).commit();
    const fine = commits.atomic().set(["fine"], 1).commit();
    await first;
    await assert.rejects(tooBig);
    assert.equal((await fine).ok, true);
    assert.equal((await kv.get(["fine"])).value, 1);
    assert.equal((await kv.get(["big"])).value, null);
  } finally {
    kv.close();
  }
});

Deno.test("two operations checking one key never share a commit: only the first wins", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["record"], "pending");
    const entry = await kv.get<string>(["record"]);
    const commits = new GroupCommitter(kv);
    const first = commits.atomic().set(["other"], 1).commit(); // in flight: the rest queue
    const claims = ["a", "b", "c"].map((who) =>
      commits.atomic().check(entry).set(["record"], `claimed by ${who}`).commit()
    );
    await first;
    const results = await Promise.all(claims);
    assert.deepEqual(results.map((r) => r.ok), [true, false, false]);
    assert.equal((await kv.get(["record"])).value, "claimed by a");
  } finally {
    kv.close();
  }
});

Deno.test("counter sums of one key share a commit and all count; a check of it does not", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const commits = new GroupCommitter(kv);
    const first = commits.atomic().set(["first"], 1).commit();
    const sums = Array.from(
      { length: 5 },
      (_, i) => commits.atomic().set(["own", i], i).sum(["count"], 1n).commit(),
    );
    const checker = commits.atomic().check({ key: ["count"], versionstamp: null })
      .set(["count"], new Deno.KvU64(100n)).commit();
    await first;
    const results = await Promise.all(sums);
    assert.ok(results.every((r) => r.ok));
    const stamps = new Set(results.map((r) => r.ok ? r.versionstamp : ""));
    assert.equal(stamps.size, 1, "the five sums went in one commit");
    assert.equal((await checker).ok, false, "its check ran after the sums, alone");
    assert.equal((await kv.get<Deno.KvU64>(["count"])).value?.value, 5n);
  } finally {
    kv.close();
  }
});

Deno.test("a commit that throws says where it was asked for, not the committer's loop", async () => {
  const kv = await Deno.openKv(":memory:");
  kv.close(); // every commit on it throws
  const commits = new GroupCommitter(kv);
  async function callerOfTheCommit() {
    return await commits.atomic().set(["x"], 1).commit();
  }
  const error = await callerOfTheCommit().then(() => null, (e: Error) => e);
  assert.ok(error instanceof Error, "the commit failed");
  const frames = error.stack!.split("\n").filter((line) => /^\s+at /.test(line));
  const firstProject = frames.find((line) => line.includes("file://"));
  assert.ok(firstProject?.includes("callerOfTheCommit"), error.stack);
  assert.ok(!frames.some((line) => line.includes("group_commit.ts:")), error.stack);
});

Deno.test("a batch adds up the sums of each counter key; a member's own set-then-sum keeps its order", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const commits = new GroupCommitter(kv);
    const first = commits.atomic().set(["first"], 1).commit();
    const members = Array.from(
      { length: 8 },
      (_, i) =>
        commits.atomic().sum(["a"], BigInt(i + 1)).set(["own", i], i).sum(["b"], 10n).commit(),
    );
    // Its own key, set then summed: the sum applies to the value it set.
    const own = commits.atomic().set(["c"], new Deno.KvU64(5n)).sum(["c"], 2n).commit();
    await first;
    const results = await Promise.all([...members, own]);
    assert.ok(results.every((r) => r.ok));
    assert.equal(new Set(results.map((r) => r.ok ? r.versionstamp : "")).size, 1, "one commit");
    assert.equal((await kv.get<Deno.KvU64>(["a"])).value?.value, 36n);
    assert.equal((await kv.get<Deno.KvU64>(["b"])).value?.value, 80n);
    assert.equal((await kv.get<Deno.KvU64>(["c"])).value?.value, 7n);
  } finally {
    kv.close();
  }
});
