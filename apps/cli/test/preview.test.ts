import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli, tempDir } from "./helpers.js";

describe("recsys preview --profile (docs/behaviour.md §6.16)", () => {
  it("recommends for a hand-authored profile and prints the model it built", async () => {
    const dir = tempDir();
    const profile = join(dir, "family.json");
    writeFileSync(
      profile,
      JSON.stringify({ tag_affinity: { "theme_what:Family": 1 }, like_items: ["201"], limit: 3 }),
    );
    const res = await cli(["preview", "--profile", profile, "--seed", "1", "--include-content", "false"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as {
      user_id: string;
      items: { id: string; reason: string; content?: unknown }[];
      user_model: { positives: Record<string, number>; tag_affinity: Record<string, number> };
    };
    expect(out.user_id).toBe("preview");
    expect(out.items.length).toBeLessThanOrEqual(3);
    expect(out.items.map((i) => i.id)).not.toContain("201");
    expect(out.items[0]!.id).toMatch(/^20[23]$/);
    expect(out.items.every((i) => i.content === undefined && i.reason.length > 0)).toBe(true);
    expect(out.user_model).toMatchObject({
      positives: { "201": 1 },
      tag_affinity: { "theme_what:family": 1 },
    });
  });

  it("names the profile's bad field", async () => {
    const dir = tempDir();
    const profile = join(dir, "bad.json");
    writeFileSync(profile, JSON.stringify({ limit: 99 }));
    const res = await cli(["preview", "--profile", profile]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/limit must be an integer from 1 to 50/);
  });
});
