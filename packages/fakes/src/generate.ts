import { createSeededRandom } from "@recsys/core";
import { normalizeFilterValue, normalizeKey } from "@recsys/core/taxonomy";
import type { CatalogPoint } from "./catalog.js";

/** Options of {@link generateCatalog}. */
export interface GenerateOptions {
  readonly items: number;
  readonly dimension: number;
  readonly seed?: number;
  /** Number of distinct theme labels. */
  readonly themes?: number;
}

/**
 * A seeded synthetic catalogue: clustered unit-ish vectors (each item near one of `themes` centroids), 3–5
 * tags drawn mostly from its own theme, a location near Bergen-Belsen for a third of the items.
 * @param options - size, dimension, seed
 */
export function generateCatalog(options: GenerateOptions): CatalogPoint[] {
  const random = createSeededRandom(options.seed ?? 1);
  const themes = options.themes ?? 50;
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centroids = Array.from({ length: themes }, () => Array.from({ length: options.dimension }, gaussian));
  return Array.from({ length: options.items }, (_, i) => {
    const theme = Math.floor(random() * themes);
    const centroid = centroids[theme]!;
    const vector = Float32Array.from(centroid, (x) => x + 0.8 * gaussian());
    const tags = [{ facet: "theme_what", label: `Theme ${theme}`, weight: 1 }];
    const extra = 2 + Math.floor(random() * 3);
    for (let t = 0; t < extra; t++) {
      const other = random() < 0.7 ? theme : Math.floor(random() * themes);
      tags.push({ facet: "theme_what", label: `Subtheme ${other}-${Math.floor(random() * 5)}`, weight: 0.8 });
    }
    if (random() < 0.2)
      tags.push({
        facet: "place_where.camp_areas",
        label: `Barrack ${Math.floor(random() * 20)}`,
        weight: 1,
      });
    const located = random() < 0.33;
    return {
      id: String(i + 1),
      vector,
      payload: {
        title: `Story ${i + 1}`,
        text: `Story ${i + 1} about theme ${theme}`,
        word_count: 80 + Math.floor(random() * 400),
        tags,
        tag_labels: tags.map((t) => normalizeKey(`${t.facet}:${t.label}`)),
        tag_values: tags.map((t) => normalizeFilterValue(t.label)),
        ...(located ? { location: { lat: 52.75 + random() * 0.02, lon: 9.9 + random() * 0.02 } } : {}),
      },
    };
  });
}

/** Options of {@link generateEvents}. */
export interface GenerateEventsOptions {
  /** The catalogue the users browse. */
  readonly catalog: readonly CatalogPoint[];
  readonly users: number;
  /** RudderStack calls per user (views are a STARTED + ENDED pair). */
  readonly eventsPerUser: number;
  /** Epoch ms of the latest event. */
  readonly endMs: number;
  readonly seed?: number;
}

/**
 * Seeded synthetic RudderStack traffic: each user prefers two themes of the catalogue, views items mostly
 * from them (long dwell, next_button) and sometimes elsewhere (short, close_button or abandon), over the
 * 20 days before `endMs`; about one user in five also submits a survey.
 * @param options - catalogue, sizes, clock, seed
 * @returns RudderStack track calls, ordered by user then time
 */
export function generateEvents(options: GenerateEventsOptions): Record<string, unknown>[] {
  const random = createSeededRandom(options.seed ?? 2);
  const byTheme = new Map<string, CatalogPoint[]>();
  for (const point of options.catalog) {
    const theme = ((point.payload.tags as { label: string }[] | undefined)?.[0]?.label ?? "none").toString();
    const list = byTheme.get(theme) ?? [];
    list.push(point);
    byTheme.set(theme, list);
  }
  const themes = [...byTheme.keys()];
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const out: Record<string, unknown>[] = [];
  for (let u = 0; u < options.users; u++) {
    const userId = `user-${u + 1}`;
    const liked = [pick(themes), pick(themes)];
    let t = options.endMs - 20 * 86_400_000 + Math.floor(random() * 86_400_000);
    const step = Math.floor((19 * 86_400_000) / Math.max(1, options.eventsPerUser));
    if (random() < 0.2) {
      out.push({
        type: "track",
        event: "SURVEY_SUBMITTED",
        userId,
        timestamp: new Date(t).toISOString(),
        properties: {
          answers: [
            { question_id: "q:age", answer_value: pick(["18_24", "25_34", "55_64"]) },
            { question_id: "q:personalization_theme", answer_value: liked[0] },
          ],
        },
      });
    }
    for (let e = 0; e + 1 < options.eventsPerUser; e += 2) {
      const fond = random() < 0.75;
      const item = pick(byTheme.get(fond ? pick(liked)! : pick(themes))!);
      const content = { content_id: `content_${item.id}` };
      const dwell = fond ? 40 + Math.floor(random() * 200) : 1 + Math.floor(random() * 10);
      const reason = fond ? "next_button" : pick(["close_button", "abandon", "link"]);
      out.push({
        type: "track",
        event: "CONTENT_VIEW_STARTED",
        userId,
        timestamp: new Date(t).toISOString(),
        properties: { content },
      });
      out.push({
        type: "track",
        event: "CONTENT_VIEW_ENDED",
        userId,
        timestamp: new Date(t + dwell * 1000).toISOString(),
        properties: { content, details: { dwell_seconds: dwell, reason } },
      });
      t += step;
    }
  }
  return out;
}
