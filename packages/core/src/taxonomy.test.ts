import { describe, expect, it } from "vitest";
import { normalizeFilterValue, normalizeKey, normalizeLabel } from "./taxonomy.js";

describe("taxonomy normalisation (docs/behaviour.md Appendix A)", () => {
  it("folds case, spelling, accents and separators", () => {
    expect(normalizeLabel("Theatre")).toBe(normalizeLabel("theater"));
    expect(normalizeLabel("Düsseldorf")).toBe("dusseldorf");
    expect(normalizeLabel("  Forced_Labour ")).toBe("forced labor");
    expect(normalizeLabel("Zuid-Holland")).toBe("zuid holland");
    expect(normalizeLabel("Straße")).toBe("strasse");
    expect(normalizeLabel("Commandant’s House")).toBe("commander's house");
  });
  it("applies the alias table", () => {
    expect(normalizeLabel("Barak")).toBe("barrack");
    expect(normalizeLabel("Personal story")).toBe("personal stories");
    expect(normalizeLabel("Verzet")).toBe("resistance");
    expect(normalizeLabel("From: United Kindom")).toBe("from: united kingdom");
  });
  it("normalises keys at the first colon, keeping facet separators", () => {
    expect(normalizeKey("THEME_WHAT:Forced Labour")).toBe("theme_what:forced labor");
    expect(normalizeKey(" Person_Who.Age_Group :Age 18-24")).toBe("person_who.age_group:age 18 24");
    expect(normalizeKey("person_who.city_village_country:From: Netherlands")).toBe(
      "person_who.city_village_country:from: netherlands",
    );
    expect(normalizeKey("No Colon_Here")).toBe("no colon here");
  });
  it("decodes AR location machine tags in filter values", () => {
    expect(normalizeFilterValue("AiARLocationBarrack56")).toBe("barrack 56");
    expect(normalizeFilterValue("AiARLocationBarrack3")).toBe("barrack 3");
    expect(normalizeFilterValue("aiarlocationCommandersHouse")).toBe("commander's house");
    expect(normalizeFilterValue("Barrack 3")).toBe("barrack 3");
  });
});
