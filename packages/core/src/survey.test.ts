import { DEFAULT_SURVEY_RULES as rules } from "@recsys/ports";
import { describe, expect, it } from "vitest";
import { cleanAnswerValue, demographicAffinity, extractDemographics, surveyAffinity } from "./survey.js";

describe("surveyAffinity (docs/behaviour.md §5.5)", () => {
  it("maps age group, gender and country", () => {
    const { weights, fields } = surveyAffinity(
      { age_group: "25_34", gender: "female", country: "netherlands" },
      rules,
    );
    expect(weights).toEqual({
      "person_who.age_group:age 25-34": 0.5,
      "person_who.gender_and_age:female": 0.3,
      "person_who.city_village_country:From: Netherlands": 0.4,
    });
    expect([...fields].sort()).toEqual(["age", "gender", "nationality"]);
  });
  it("emits nothing for prefer_not_say and unmapped numeric ages", () => {
    expect(surveyAffinity({ gender: "prefer_not_say", age: 41 }, rules).weights).toEqual({});
  });
  it("adds International for a non-home country and title-cases unknown demonyms", () => {
    expect(surveyAffinity({ nationality: "spain" }, rules).weights).toEqual({
      "person_who.city_village_country:From: Spain": 0.4,
      "person_who.city_village_country:International": 0.3,
    });
    expect(surveyAffinity({ "q:nationality": "new_zealander" }, rules).weights).toHaveProperty(
      "person_who.city_village_country:From: New Zealand",
    );
    expect(surveyAffinity({ nationality: "netherlands" }, rules).weights).not.toHaveProperty(
      "person_who.city_village_country:International",
    );
  });
  it("keeps provinces as typed, under person_who", () => {
    expect(surveyAffinity({ "q:province": "Utrecht" }, rules).weights).toEqual({
      "person_who.province_netherlands:Utrecht": 0.5,
    });
    expect(surveyAffinity({ province: " Zuid-Holland " }, rules).weights).toEqual({
      "person_who.province_netherlands:Zuid-Holland": 0.5,
    });
  });
  it("canonicalises personalisation labels, skips AR areas and content ids", () => {
    const { weights } = surveyAffinity(
      {
        "q:personalization_theme": ["forced_labour", "deportation", "Family", "1234"],
        personalization_interest: "Personal-stories",
        "q:personalization_area": "AiARLocationBarrack3",
      },
      rules,
    );
    expect(weights).toEqual({
      "theme_what:Forced Labor": 1,
      "theme_what:Deportation": 1,
      "theme_what:Family": 1,
      "theme_how.type_of_stores:Personal stories": 1,
    });
  });
  it("reads encoded a:<question>:<value> answers", () => {
    expect(cleanAnswerValue("a:q:age:55_64")).toBe("55_64");
    expect(surveyAffinity({ "q:age": "a:q:age:55_64" }, rules).weights).toEqual({
      "person_who.age_group:age 55-64": 0.5,
    });
  });
});

describe("extractDemographics (docs/behaviour.md §5.7)", () => {
  it("keeps the raw values of known fields and only whether an email was shared", () => {
    expect(
      extractDemographics(
        { age_group: "65_plus", personal_connection: "yes", noise: 1, "Email address": "a@b.c" },
        rules,
      ),
    ).toEqual({ age: "65_plus", personal_connection: "yes", email_shared: "yes" });
    expect(extractDemographics({ "q:email": "nee" }, rules)).toEqual({ email_shared: "no" });
    expect(extractDemographics({ "q:province": "Utrecht", gender: ["female", "x"] }, rules)).toEqual({
      province: "Utrecht",
      gender: "female",
    });
  });
});

describe("demographicAffinity (docs/behaviour.md §5.6)", () => {
  it("buckets numeric ages and capitalises values", () => {
    expect(
      demographicAffinity({ age: 17, gender: "FEMALE", nationality: "dutch", province: " Drenthe " }, rules),
    ).toEqual({
      "person_who.age_group:child": 0.5,
      "person_who.gender_and_age:Female": 0.3,
      "person_who.city_village_country:From: Dutch": 0.4,
      "person_who.province_netherlands:Drenthe": 0.5,
    });
    expect(demographicAffinity({ age: 64.5 }, rules)).toEqual({ "person_who.age_group:age 55-64": 0.5 });
    expect(demographicAffinity({ age: 80 }, rules)).toEqual({ "person_who.age_group:elderly": 0.5 });
    expect(demographicAffinity({ age: "30" }, rules)).toEqual({});
  });
  it("skips fields already counted from survey answers", () => {
    expect(demographicAffinity({ age: 30, gender: "female" }, rules, new Set(["gender"]))).toEqual({
      "person_who.age_group:age 25-34": 0.5,
    });
  });
});
