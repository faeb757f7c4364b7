import type { CatalogPoint } from "../catalog.js";

function point(
  id: number | string,
  vector: number[],
  tags: [string, string, number][],
  location: [number, number] | null,
): CatalogPoint {
  return {
    id: String(id),
    vector: Float32Array.from(vector),
    payload: {
      title: `Item ${id}`,
      text: `Text of item ${id}`,
      word_count: 100 + (typeof id === "number" ? id : id.length),
      tags: tags.map(([facet, label, weight]) => ({ facet, label, weight })),
      ...(location ? { location: { lat: location[0], lon: location[1] } } : {}),
      time_metadata: { dates_of_creation: [`${1930 + ((typeof id === "number" ? id : id.length) % 15)}`] },
    },
  };
}

/** Item ids that are not integers: every store must accept them and hand them back as given. */
export const STRING_IDS = [
  "content_101",
  "abc",
  "007",
  "1234567890123456",
  "6F9619FF-8B86-D011-B42D-00C04FC964FF",
] as const;

/**
 * The catalogue every content-store contract test runs on: 12 items with integer ids and 5 with other
 * ids, 4-dimension vectors of many lengths (stores must answer as if they were unit length, as Qdrant
 * keeps them), tags with weights (including an AR location tag and a British spelling), some with
 * locations around a centre.
 */
export const CONTRACT_POINTS: readonly CatalogPoint[] = [
  point(
    1,
    [1, 0, 0, 0],
    [
      ["theme_what", "Forced Labour", 1],
      ["place_where.camp_areas", "AiARLocationBarrack3", 1],
    ],
    [52.7581, 9.9062],
  ),
  point(
    2,
    [0.9, 0.1, 0, 0],
    [
      ["theme_what", "Forced Labor", 0.5],
      ["theme_what", "work detail", 0.8],
    ],
    [52.7576, 9.9081],
  ),
  point(
    3,
    [0.7, 0.7, 0, 0],
    [
      ["theme_what", "Family", 1],
      ["place_where.camp_areas", "Barrack 3", 1],
    ],
    [52.7583, 9.9079],
  ),
  point(4, [0, 3, 0, 0], [["theme_what", "Family", 0.6]], [52.7562, 9.9105]),
  point(5, [0, 0.9, 0.1, 0], [["theme_what", "children", 1]], null),
  point(
    6,
    [0, 0, 2.5, 0],
    [
      ["theme_what", "Liberation", 1],
      ["place_where.camp_areas", "Barrack 3", 0.5],
    ],
    [52.7597, 9.9041],
  ),
  point(7, [0, 0, 0.9, 0.1], [["theme_what", "Liberation", 0.9]], [52.9, 10.2]),
  point(8, [0, 0, 0, 0.2], [["theme_what", "Deportation", 1]], null),
  point(9, [-1, 0, 0, 0], [["theme_what", "Resistance", 1]], [52.7599, 9.9048]),
  point(10, [0, -1, 0, 0], [["theme_what", "Theatre", 1]], null),
  point(11, [0.5, 0.5, 0.5, 0.5], [], [52.7565, 9.9098]),
  point(12, [0, 0, -1, 0], [["theme_how.type_of_stores", "Personal stories", 0.5]], null),
  point(
    STRING_IDS[0],
    [0.1, 0.2, 0.3, 0.4],
    [
      ["theme_what", "Odd ids", 1],
      ["place_where", "Barrack 7", 1],
    ],
    null,
  ),
  point(
    STRING_IDS[1],
    [0.1, 0.3, 0.2, 0.4].map((x) => x * 7),
    [["theme_what", "Odd ids", 0.9]],
    null,
  ),
  point(
    STRING_IDS[2],
    [0.2, 0.2, 0.1, 0.3],
    [
      ["theme_what", "Odd ids", 0.8],
      ["place_where", "Barrack 7", 1],
    ],
    null,
  ),
  point(
    STRING_IDS[3],
    [0.1, 0.1, 0.4, 0.3].map((x) => x * 0.01),
    [["theme_what", "Odd ids", 0.7]],
    null,
  ),
  point(STRING_IDS[4], [0.1, 0.3, 0.3, -0.3], [["theme_what", "Odd ids", 0.6]], null),
];

/** The centre the geo tests search around (item 1's position). */
export const CONTRACT_CENTRE = { lat: 52.7581, lon: 9.9062 } as const;
