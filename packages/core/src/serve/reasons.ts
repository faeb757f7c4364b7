import type { Content, ScoredCandidate } from "@recsys/ports";
import { contentTagWeights } from "../scorers.js";
import type { ServeState } from "./types.js";

const quoted = (content: Content | null | undefined, fallback: string) =>
  content?.title ? `“${content.title}”` : fallback;

/** The liked items' contents a request's reasons name: by id, and by positive weight with their tags. */
export interface LikedForReasons {
  readonly byId: ReadonlyMap<string, Content>;
  readonly byWeight: readonly { readonly content: Content; readonly tags: ReadonlyMap<string, number> }[];
}

/**
 * The liked items' contents for a request's reasons, computed once per request.
 * @param state - the request (its liked items and weights)
 * @param byId - the liked items' contents, by id
 */
export function likedForReasons(state: ServeState, byId: ReadonlyMap<string, Content>): LikedForReasons {
  const byWeight = state.liked
    .filter(([id]) => byId.has(id))
    .sort((a, b) => b[1] - a[1])
    .map(([id]) => ({ content: byId.get(id)!, tags: contentTagWeights(byId.get(id)!) }));
  return { byId, byWeight };
}

/**
 * A short reason a person can read for one served item (docs/behaviour.md §6.9), from its breakdown: the
 * built-in scorer that added most to its score says why: the tag it shares with the visitor's interests
 * (with the liked item that taught it, or else what they said in a survey), closeness to what they read
 * at length or last, or nearness. The distractor says it is there to widen the view.
 * @param item - the served item
 * @param state - the request (the model, and the liked items' contents)
 * @param liked - the liked items' contents, from {@link likedForReasons}
 */
export function reasonFor(item: ScoredCandidate, state: ServeState, liked: LikedForReasons): string {
  if (item.kind === "distractor") return "Something different, to widen the view.";
  const { signals } = state;
  // The scorer that added most (the first of equals, in breakdown order), found in one pass.
  let top: string | null = null;
  let most = 0;
  for (const name in item.breakdown) {
    const value = item.breakdown[name]!;
    if (value > most && Object.hasOwn(item.breakdown, name)) {
      top = name;
      most = value;
    }
  }
  if (top === null)
    return state.strategy === "cold"
      ? "A place to start in the collection."
      : "Something new from the collection.";
  const likedByWeight = liked.byWeight;
  switch (top) {
    case "tag": {
      const tags = item.content ? contentTagWeights(item.content) : new Map<string, number>();
      let best: { key: string; value: number } | null = null;
      for (const [key, weight] of tags) {
        const value = (signals.tag_affinity[key] ?? 0) * weight;
        if (value > 0 && (best === null || value > best.value)) best = { key, value };
      }
      if (!best) break;
      const label = best.key.slice(best.key.indexOf(":") + 1);
      const teacher = likedByWeight.find((entry) => entry.tags.has(best.key));
      return teacher
        ? `Because you spent long on ${quoted(teacher.content, "a story")}, about ${label}.`
        : `Because you said you are interested in ${label}.`;
    }
    case "semantic":
    case "affinity":
      if (likedByWeight.length > 0)
        return `Because it is close to ${quoted(likedByWeight[0]!.content, "a story")}, which you spent long on.`;
      break;
    case "recency": {
      const last = signals.recent_views[0];
      return `Because it is like what you read last${last && liked.byId.has(last) ? `, ${quoted(liked.byId.get(last), "")}` : ""}.`;
    }
    case "geo":
      return "Because it is near you.";
  }
  return `Because it matches your ${top} profile.`;
}
