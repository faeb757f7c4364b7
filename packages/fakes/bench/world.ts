import { createSeededRandom, normalizeFilterValue, normalizeKey } from "@recsys/core";
import type { CatalogPoint } from "../src/catalog.js";

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
