import { createReadStream, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BB_NOW_ISO, bbFiles, cli, cliProcess, generatedFiles, tempDir } from "./helpers.js";

const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("recsys recommend and usermodel on the BB fixtures", () => {
  const dir = tempDir();
  const { catalog, events } = bbFiles(dir);
  const bb = ["--catalog", catalog, "--events", events, "--now", BB_NOW_ISO];

  it("recommends for every user, reproducing docs/behaviour.md Appendix B", async () => {
    const res = await cli(["recommend", ...bb, "--sampling", "ascending"]);
    expect(res.code).toBe(0);
    const out = lines(res.stdout);
    expect(out.map((l) => l.user_id).sort()).toEqual(["visitor-b", "visitor-c"]);
    const b = out.find((l) => l.user_id === "visitor-b")! as {
      strategy: string;
      items: { id: string; relevance_score: number }[];
    };
    expect(b.strategy).toBe("warm");
    expect(b.items.map((i) => i.id)).toEqual(["103", "201", "301", "202", "203", "302"]);
    expect(Math.abs(b.items[0]!.relevance_score - 0.657174)).toBeLessThan(1e-6);
    const c = out.find((l) => l.user_id === "visitor-c")! as { strategy: string; items: { id: string }[] };
    expect(c.strategy).toBe("cold");
    expect(c.items.map((i) => i.id)).not.toContain("301");
  });

  it("--user selects, --limit truncates, --out writes a file", async () => {
    const out = join(dir, "out.jsonl");
    const res = await cli(["recommend", ...bb, "--user", "visitor-b", "--limit", "2", "--out", out]);
    expect(res).toEqual({ code: 0, stdout: "", stderr: "" });
    const written = lines((await import("node:fs")).readFileSync(out, "utf8"));
    expect(written).toHaveLength(1);
    expect((written[0]!.items as unknown[]).length).toBe(2);
  });

  it("prints one user's model", async () => {
    const res = await cli(["usermodel", ...bb, "--user", "visitor-b"]);
    expect(res.code).toBe(0);
    const model = JSON.parse(res.stdout) as {
      positives: Record<string, number>;
      tag_affinity: Record<string, number>;
    };
    expect(Math.abs(model.positives["101"]! - 0.777143)).toBeLessThan(1e-6);
    expect(model.tag_affinity["theme_what:forced labor"]).toBe(1);
  });

  it("the same seed gives the same output; random sampling differs across seeds for cold users", async () => {
    const args = ["recommend", ...bb, "--user", "visitor-c"];
    const a = await cli([...args, "--seed", "7"]);
    const b = await cli([...args, "--seed", "7"]);
    expect(a.stdout).toBe(b.stdout);
    const others = await Promise.all([1, 2, 3, 4].map((seed) => cli([...args, "--seed", String(seed)])));
    expect(new Set(others.map((o) => o.stdout)).size).toBeGreaterThan(1);
  });
});

describe("recsys on a generated world", () => {
  const dir = tempDir();
  const { catalog, events, calls } = generatedFiles(dir);
  const base = ["--catalog", catalog, "--events", events, "--now", BB_NOW_ISO, "--seed", "3"];

  it("--shard i/n splits users; together the shards give exactly the full output", async () => {
    const full = lines((await cli(["recommend", ...base, "--workers", "1"])).stdout);
    expect(full).toHaveLength(150);
    const shards = await Promise.all(
      [0, 1, 2].map((i) => cli(["recommend", ...base, "--workers", "1", "--shard", `${i}/3`])),
    );
    const parts = shards.map((s) => lines(s.stdout));
    for (const part of parts) expect(part.length).toBeGreaterThan(20);
    const byUser = (rows: Record<string, unknown>[]) =>
      new Map(rows.map((r) => [r.user_id, JSON.stringify(r)]));
    expect(byUser(parts.flat())).toEqual(byUser(full));
  });

  // Over the 1 MB minimum budget: the generated events three times (exact replays, stored once) and
  // rejected items (counted once).
  const mixed = join(dir, "spill-events.jsonl");
  const all = calls.map((c) => JSON.stringify(c));
  const bad = [JSON.stringify({ event: "CONTENT_VIEW_STARTED" }), JSON.stringify([{ userId: "x" }])];
  writeFileSync(mixed, [...all, ...bad, ...all, ...all].join("\n"));

  it("a small memory budget spills to temporary files and scores in passes, with identical output", async () => {
    const args = ["--catalog", catalog, "--events", mixed, "--now", BB_NOW_ISO, "--seed", "3"];
    const one = await cli(["recommend", ...args, "--workers", "1"]);
    expect(statSync(mixed).size).toBeGreaterThan(1024 * 1024);
    const spillDir = join(dir, "spill");
    mkdirSync(spillDir);
    const many = await cli([
      "recommend",
      ...args,
      "--workers",
      "1",
      "--memory-budget",
      "1",
      "--tmp-dir",
      spillDir,
    ]);
    expect(many.code).toBe(0);
    expect(lines(many.stdout)).toHaveLength(150);
    expect(many.stdout).toBe(one.stdout);
    expect(many.stderr).toBe(one.stderr);
    expect(one.stderr).toMatch(/^recsys: warning: 2 event\(s\) rejected; first: .*spill-events\.jsonl:\d+: /);
    expect(readdirSync(spillDir)).toEqual([]);
    const usermodel = ["usermodel", ...args, "--user", "user-7"];
    const whole = await cli(usermodel);
    const spilled = await cli([...usermodel, "--memory-budget", "1", "--tmp-dir", spillDir]);
    expect(spilled.stdout).toBe(whole.stdout);
    expect(whole.stdout).toContain('"user_id":"user-7"');
  });

  it("a temporary folder that cannot be written exits 2 naming it", async () => {
    const missing = join(dir, "no-such-folder");
    const res = await cli([
      "recommend",
      "--catalog",
      catalog,
      "--events",
      mixed,
      "--memory-budget",
      "1",
      "--tmp-dir",
      missing,
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`recsys: cannot create temporary files in ${missing} (ENOENT); set --tmp-dir\n`);
  });

  it("worker threads give the same output as the main thread", async () => {
    const single = await cliProcess(["recommend", ...base, "--workers", "1"]);
    const threaded = await cliProcess(["recommend", ...base, "--workers", "2"]);
    expect(threaded.code).toBe(0);
    expect(threaded.stderr).toBe("");
    expect(threaded.stdout).toBe(single.stdout);
  }, 60_000);

  it("eval prints a table, --json the metrics, --compare the difference per metric", async () => {
    const table = await cli(["eval", ...base, "--workers", "1", "--k", "10"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^metric\s+default\n/);
    for (const label of ["users evaluated", "HR@10", "NDCG@10", "MRR", "coverage", "diversity", "cold share"])
      expect(table.stdout).toContain(label);
    const json = JSON.parse((await cli(["eval", ...base, "--workers", "1", "--json"])).stdout) as Record<
      string,
      number
    >;
    expect(json.users).toBeGreaterThan(100);
    for (const key of ["hit_rate", "ndcg", "mrr", "coverage", "diversity", "cold_share"]) {
      expect(json[key]).toBeGreaterThanOrEqual(0);
      expect(json[key]).toBeLessThanOrEqual(1);
    }
    expect(json.ndcg!).toBeLessThanOrEqual(json.hit_rate!);
    expect(json.mrr).toBeGreaterThan(0);
    const other = join(dir, "b.json");
    writeFileSync(other, JSON.stringify({ mmr_lambda: 0.3 }));
    const compared = JSON.parse(
      (await cli(["eval", ...base, "--workers", "1", "--json", "--compare", other])).stdout,
    ) as Record<string, Record<string, number>>;
    expect(compared.default).toEqual(json);
    expect(compared.difference!.diversity).toBeCloseTo(compared[other]!.diversity! - json.diversity!, 12);
    const text = (await cli(["eval", ...base, "--workers", "1", "--compare", other])).stdout;
    expect(text.split("\n")[0]).toMatch(/metric\s+default\s+\S+b\.json\s+Δ/);
  });
});

describe("errors exit 2 with one line naming the problem", () => {
  const dir = tempDir();
  const { catalog, events } = bbFiles(dir);
  const cases: [string[], RegExp][] = [
    [["recommend", "--catalog", catalog], /^recsys: --events is required\n$/],
    [["recommend", "--catalog", catalog, "--events", events, "--bogus"], /^recsys: Unknown option '--bogus'/],
    [
      ["recommend", "--catalog", join(dir, "missing.jsonl"), "--events", events],
      /^recsys: .*missing\.jsonl: cannot read catalogue \(ENOENT\)\n$/,
    ],
    [
      ["recommend", "--catalog", catalog, "--events", join(dir, "none.jsonl")],
      /^recsys: cannot read events file .*none\.jsonl \(ENOENT\)\n$/,
    ],
    [
      ["recommend", "--catalog", catalog, "--events", events, "--now", "yesterday"],
      /^recsys: --now must be an ISO-8601 timestamp/,
    ],
    [
      ["recommend", "--catalog", catalog, "--events", events, "--shard", "3/3"],
      /^recsys: --shard must be I\/N/,
    ],
    [
      ["recommend", "--catalog", catalog, "--events", events, "--limit", "0"],
      /^recsys: --limit must be an integer from 1 to 50$/m,
    ],
    [["usermodel", "--catalog", catalog, "--events", events], /^recsys: --user is required, exactly once\n$/],
    [
      ["usermodel", "--catalog", catalog, "--events", events, "--user", "nobody", "--now", BB_NOW_ISO],
      /^recsys: no event of user "nobody"/,
    ],
    [["frobnicate"], /^recsys: unknown command "frobnicate"/],
  ];
  it("says how many events fell outside the window, and suggests --now", async () => {
    // The BB events are from June 2026; without --now the clock is today's, months later.
    const res = await cli(["usermodel", "--catalog", catalog, "--events", events, "--user", "u1"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(
      /^recsys: warning: 6 event\(s\) fell outside the 30-day event window before \S+ and were left out; pass --now with a time near the events to score them as of then\nrecsys: no event of user "u1"/,
    );
  });

  it.each(cases)("%j", async (args, message) => {
    const res = await cli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("names the file and line of a malformed events line and of a bad catalogue point", async () => {
    const badEvents = join(dir, "bad-events.jsonl");
    writeFileSync(badEvents, '{"event":"E","userId":"u"}\n\n{not json}\n');
    expect((await cli(["recommend", "--catalog", catalog, "--events", badEvents])).stderr).toBe(
      `recsys: ${badEvents}:3: not valid JSON\n`,
    );
    const badCatalog = join(dir, "bad-catalog.jsonl");
    writeFileSync(badCatalog, '{"id": 1, "vector": [1, 0], "payload": {}}\n{"id": 2, "vector": "x"}\n');
    const res = await cli(["recommend", "--catalog", badCatalog, "--events", events]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      `recsys: ${badCatalog}:2: "vector" must be a non-empty array of finite numbers\n`,
    );
  });

  it("names the config file and key", async () => {
    const config = join(dir, "config.json");
    writeFileSync(config, JSON.stringify({ fusion: { tga: 1 } }));
    const res = await cli(["recommend", "--catalog", catalog, "--events", events, "--config", config]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(`recsys: ${config}: fusion.tga: unknown key; did you mean fusion.tag?\n`);
  });

  it("warns about rejected events on stderr, keeping the rest", async () => {
    const mixed = join(dir, "mixed.jsonl");
    writeFileSync(
      mixed,
      `${JSON.stringify([{ event: "E" }, { event: "CONTENT_VIEW_STARTED", userId: "u", timestamp: BB_NOW_ISO, properties: { content: "content_101" } }])}\n`,
    );
    const res = await cli(["recommend", "--catalog", catalog, "--events", mixed, "--now", BB_NOW_ISO]);
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(
      `recsys: warning: 1 event(s) rejected; first: ${mixed}:1: item 0: missing userId and anonymousId\n`,
    );
    expect(lines(res.stdout).map((l) => l.user_id)).toEqual(["u"]);
  });
});

describe("--help", () => {
  it.each([
    [[]],
    [["--help"]],
    [["recommend", "--help"]],
    [["usermodel", "--help"]],
    [["eval", "--help"]],
    [["catalog", "import", "--help"]],
    [["replay", "--help"]],
  ])("%j prints usage with an example", async (args) => {
    const res = await cli(args);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain("recsys");
    if (args.length > 1 || (args[0] && args[0] !== "--help")) expect(res.stdout).toContain("Example:");
  });
  it("defines every eval metric", async () => {
    const text = (await cli(["eval", "--help"])).stdout;
    for (const term of ["HR@k", "NDCG@k", "MRR", "coverage", "diversity", "cold share"])
      expect(text).toContain(term);
  });
});

describe("progress on stderr", () => {
  it("draws users done, rate and ETA on a terminal, and stays quiet otherwise", async () => {
    const { Progress } = await import("../src/progress.js");
    const { Writable } = await import("node:stream");
    let text = "";
    const tty = Object.assign(
      new Writable({
        write(chunk, _e, done) {
          text += chunk;
          done();
        },
      }),
      { isTTY: true },
    );
    const progress = new Progress(tty, "recommend", 4);
    for (let i = 0; i < 4; i++) progress.tick();
    progress.finish();
    expect(text).toMatch(/\rrecommend \[#{24}\] 4\/4 users, \d+\/s, ETA 0 s \n$/);
    const quiet = new Progress(new Writable({ write: (_c, _e, done) => done() }), "x", 1);
    expect(quiet.enabled).toBe(false);
  });
});

describe("CLI manners", () => {
  const dir = tempDir();
  const { catalog, events } = bbFiles(dir);
  const bb = ["--catalog", catalog, "--now", BB_NOW_ISO, "--seed", "3"];

  it("--version prints the package's version", async () => {
    const version = (
      JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    ).version;
    expect(await cli(["--version"])).toEqual({ code: 0, stdout: `recsys ${version}\n`, stderr: "" });
  });

  it("recsys catalog --help lists the group's commands", async () => {
    for (const args of [["catalog", "--help"], ["catalog"]]) {
      const res = await cli(args);
      expect(res.code).toBe(0);
      expect(res.stdout).toMatch(/^Usage: recsys catalog <command>/);
      expect(res.stdout).toContain("catalog import");
    }
  });

  it("each command's help lists its own options under Options:", async () => {
    for (const name of [["recommend"], ["usermodel"], ["eval"], ["replay"], ["catalog", "import"]]) {
      const res = await cli([...name, "--help"]);
      // Every option line comes after the "Options:" header.
      const header = res.stdout.indexOf("\nOptions:\n");
      const firstOption = res.stdout.search(/\n {2}--/);
      expect({ name, header: header > 0, after: firstOption > header }).toEqual({
        name,
        header: true,
        after: true,
      });
    }
  });

  it("--out to an unwritable path: one line naming it, exit 2", async () => {
    const res = await cli([
      "recommend",
      ...bb,
      "--events",
      events,
      "--out",
      join(dir, "no-such-dir", "out.jsonl"),
    ]);
    expect(res).toMatchObject({
      code: 2,
      stderr: `recsys: cannot write --out ${join(dir, "no-such-dir", "out.jsonl")} (ENOENT)\n`,
    });
  });

  it("--workers: 0 and negative refused, more than the cores capped with a note", async () => {
    for (const bad of ["0", "-2", "1.5"]) {
      const res = await cli(["recommend", ...bb, "--events", events, `--workers=${bad}`]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/^recsys: --workers must be an integer ≥ 1/);
    }
    const capped = await cli([
      "usermodel",
      ...bb,
      "--events",
      events,
      "--user",
      "visitor-b",
      "--workers",
      "512",
    ]);
    expect(capped.code).toBe(0);
    const many = await cli([
      "recommend",
      ...bb,
      "--events",
      events,
      "--workers",
      "512",
      "--out",
      join(dir, "w.jsonl"),
    ]);
    expect(many.stderr).toMatch(/--workers 512 is more than the \d+ cores; using \d+/);
  });

  it("- reads the events from stdin and writes the results to stdout", async () => {
    const fromFile = await cli(["recommend", ...bb, "--events", events, "--workers", "1"]);
    const fromStdin = await cli(
      ["recommend", ...bb, "--events", "-", "--out", "-", "--workers", "1"],
      {},
      createReadStream(events),
    );
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromStdin.stdout.length).toBeGreaterThan(0);
  });
});

/** `recsys recommend` over a catalogue and an events file at the BB clock, with `workers` workers. */
const recommendArgs = (catalog: string, events: string, workers: string) => [
  "recommend",
  "--catalog",
  catalog,
  "--events",
  events,
  "--now",
  BB_NOW_ISO,
  "--workers",
  workers,
];

describe("recsys catalog pack", () => {
  it("writes a packed catalogue that every command reads with the same results", async () => {
    const dir = tempDir();
    const { catalog, events } = generatedFiles(dir, 20, 120, 8);
    const packed = join(dir, "packed");
    const pack = await cli(["catalog", "pack", "--catalog", catalog, "--out", packed]);
    expect(pack.code).toBe(0);
    expect(JSON.parse(pack.stdout)).toMatchObject({ out: packed, count: 120, dimension: 8 });
    const args = (c: string) => recommendArgs(c, events, "1");
    const fromJson = await cli(args(catalog));
    const fromPacked = await cli(args(packed));
    expect(fromJson.code).toBe(0);
    expect(fromPacked.stdout).toBe(fromJson.stdout);
    expect(fromPacked.stdout.split("\n").filter(Boolean)).toHaveLength(20);
  });
});

describe("recsys catalog pack --ann-index", () => {
  it("saves the approximate index; recommend --ann-threshold maps it: the same answers in every process", async () => {
    const dir = tempDir();
    const { catalog, events } = generatedFiles(dir, 12, 400, 8);
    const packed = join(dir, "packed");
    const pack = await cli(["catalog", "pack", "--catalog", catalog, "--out", packed, "--ann-index"]);
    expect(pack.code).toBe(0);
    expect(JSON.parse(pack.stdout)).toMatchObject({ count: 400, annIndex: join(packed, "index.usearch") });
    const run = (workers: string) =>
      cli([...recommendArgs(packed, events, workers), "--ann-threshold", "100"]);
    const [one, two, again] = [await run("1"), await run("2"), await run("2")];
    expect(one.code).toBe(0);
    expect(one.stdout.split("\n").filter(Boolean)).toHaveLength(12);
    expect(two.stdout).toBe(one.stdout);
    expect(again.stdout).toBe(one.stdout);
    const none = await cli(["catalog", "pack", "--catalog", catalog, "--out", packed, "--no-ann-index"]);
    expect(JSON.parse(none.stdout)).toMatchObject({ annIndex: null });
  });
});

describe("recsys recommend --ann-threshold", () => {
  it("--ann-threshold searches an HNSW index and still answers every user; a bad value is refused", async () => {
    const dir = tempDir();
    const { catalog, events } = generatedFiles(dir, 12, 400, 8);
    const args = recommendArgs(catalog, events, "1");
    const approximate = await cli([...args, "--ann-threshold", "100"]);
    expect(approximate.code).toBe(0);
    expect(approximate.stdout.split("\n").filter(Boolean)).toHaveLength(12);
    expect(await cli([...args, "--ann-threshold", "0"])).toMatchObject({
      code: 2,
      stderr: 'recsys: --ann-threshold must be an integer ≥ 1, got "0"\n',
    });
  });
});
