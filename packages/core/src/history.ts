import type { Content, InteractionEvent, SurveyRules, UserSignals } from "@recsys/ports";

/** What a visitor did with one item over some events. */
export interface ItemViews {
  /** `CONTENT_VIEW_STARTED` events (at least 1 when only an end was seen). */
  readonly visits: number;
  /** The longest explicit dwell, or null. */
  readonly dwell: number | null;
  /** The last end reason, or null. */
  readonly reason: string | null;
  /** The time of the item's last view event. */
  readonly last: string;
}

/**
 * Per item, in order of first view: visits, longest dwell, last end reason and last time, over the view
 * events (`CONTENT_VIEW_*` with a content id) of some events, oldest first.
 * @param events - a visitor's events, oldest first
 */
export function viewsByItem(events: readonly InteractionEvent[]): Map<string, ItemViews> {
  const out = new Map<
    string,
    { visits: number; dwell: number | null; reason: string | null; last: string }
  >();
  for (const event of events) {
    if (event.content_id === null || !event.event.startsWith("CONTENT_VIEW")) continue;
    const item = out.get(event.content_id) ?? { visits: 0, dwell: null, reason: null, last: event.ts };
    if (event.event === "CONTENT_VIEW_STARTED") item.visits++;
    if (event.dwell_seconds !== null) item.dwell = Math.max(item.dwell ?? 0, event.dwell_seconds);
    if (event.end_reason !== null) item.reason = event.end_reason;
    item.last = event.ts;
    out.set(event.content_id, item);
  }
  for (const item of out.values()) item.visits = Math.max(item.visits, 1);
  return out;
}

/** A gap longer than this between two events starts a new session (streams without session markers). */
export const SESSION_GAP_MS = 30 * 60_000;

/** One event of a visitor's history, as the history shows it. */
export interface HistoryEvent {
  readonly ts: string;
  readonly event: string;
  readonly content_id: string | null;
  readonly title: string | null;
  readonly dwell_seconds: number | null;
  readonly end_reason: string | null;
  readonly request_id: string | null;
  readonly session_id: string | null;
  /** The survey answers, query text, clicked item and impressions, when the event has them. */
  readonly meta: Readonly<Record<string, unknown>>;
}

/** What a visitor did with one item, over their whole buffered history. */
export interface ItemOutcome {
  readonly content_id: string;
  readonly title: string | null;
  /** `CONTENT_VIEW_STARTED` events (at least 1 when only an end was seen). */
  readonly visits: number;
  /** The longest explicit dwell, or null. */
  readonly dwell_seconds: number | null;
  /** The last end reason, or null. */
  readonly end_reason: string | null;
  readonly last_ts: string;
  /** From the model: a positive, a negative, or neither. */
  readonly outcome: "positive" | "negative" | "neutral";
}

/** One session of a visitor. */
export interface HistorySession {
  /** The session id the events carried, or null. */
  readonly session_id: string | null;
  readonly start: string;
  readonly end: string;
  /** `marker` when SESSION_STARTED/SESSION_ENDED/GLOBAL_ENDED events delimited it, else `gap`. */
  readonly delimited_by: "marker" | "gap";
  readonly events: number;
  /** Distinct items viewed. */
  readonly items: number;
  /** Surveys submitted in it. */
  readonly surveys: number;
}

/** A visitor's history (docs/behaviour.md §6.17). */
export interface VisitorHistory {
  readonly user_id: string;
  readonly event_count: number;
  /** Newest first. */
  readonly sessions: HistorySession[];
  /** Per item, newest first. */
  readonly aggregates: ItemOutcome[];
  /** Newest first, at most `limit`. */
  readonly events: HistoryEvent[];
}

const STARTS = new Set(["SESSION_STARTED"]);
const ENDS = new Set(["SESSION_ENDED", "GLOBAL_ENDED"]);

/**
 * A visitor's history from their buffered events (docs/behaviour.md §6.17): sessions (delimited by
 * SESSION_STARTED … SESSION_ENDED / GLOBAL_ENDED markers, or by 30-minute gaps when a stream has none),
 * what happened to each item (visits, longest dwell, last end reason, outcome by the model), and the events
 * themselves, newest first. Pure.
 * @param userId - the visitor
 * @param events - their buffered events, oldest first
 * @param signals - their model (for outcomes), or null
 * @param contents - item contents, for titles
 * @param limit - at most this many events (default 200)
 */
export function historyOf(
  userId: string,
  events: readonly InteractionEvent[],
  signals: Pick<UserSignals, "positives" | "negatives"> | null,
  contents: ReadonlyMap<string, Content>,
  limit = 200,
): VisitorHistory {
  const title = (id: string | null) => (id === null ? null : (contents.get(id)?.title ?? null));
  const sessions: HistorySession[] = [];
  interface Open {
    session_id: string | null;
    start: string;
    end: string;
    marker: boolean;
    events: number;
    items: Set<string>;
    surveys: number;
  }
  const state: { open: Open | null } = { open: null };
  const close = () => {
    if (!state.open) return;
    const { items, marker, ...rest } = state.open;
    sessions.push({ ...rest, delimited_by: marker ? "marker" : "gap", items: items.size });
    state.open = null;
  };
  let lastMs = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const ms = Date.parse(event.ts);
    const fresh = (marker: boolean) => {
      close();
      state.open = {
        session_id: event.session_id,
        start: event.ts,
        end: event.ts,
        marker,
        events: 0,
        items: new Set(),
        surveys: 0,
      };
    };
    if (STARTS.has(event.event)) fresh(true);
    else if (state.open === null) fresh(false);
    else if (!state.open.marker && ms - lastMs > SESSION_GAP_MS) fresh(false);
    const current = state.open!;
    current.events++;
    current.end = event.ts;
    current.session_id ??= event.session_id;
    if (event.content_id !== null && event.event.startsWith("CONTENT_VIEW"))
      current.items.add(event.content_id);
    if (event.event === "SURVEY_SUBMITTED") current.surveys++;
    if (ENDS.has(event.event)) close();
    lastMs = ms;
  }
  close();

  const byItem = viewsByItem(events);
  const aggregates: ItemOutcome[] = [...byItem]
    .map(([id, item]) => ({
      content_id: id,
      title: title(id),
      visits: item.visits,
      dwell_seconds: item.dwell,
      end_reason: item.reason,
      last_ts: item.last,
      outcome: (signals && id in signals.positives
        ? "positive"
        : signals && id in signals.negatives
          ? "negative"
          : "neutral") as ItemOutcome["outcome"],
    }))
    .sort((a, b) => (a.last_ts < b.last_ts ? 1 : a.last_ts > b.last_ts ? -1 : 0));

  const shown = events
    .slice(-limit)
    .reverse()
    .map((event): HistoryEvent => {
      const meta: Record<string, unknown> = {};
      if (Object.keys(event.survey_answers).length > 0) meta.answers = event.survey_answers;
      if (event.query_text !== null) meta.query = event.query_text;
      if (event.clicked_id !== null) meta.clicked = event.clicked_id;
      if (event.impressions.length > 0) meta.candidates = event.impressions.length;
      return {
        ts: event.ts,
        event: event.event,
        content_id: event.content_id,
        title: title(event.content_id),
        dwell_seconds: event.dwell_seconds,
        end_reason: event.end_reason,
        request_id: event.request_id,
        session_id: event.session_id,
        meta,
      };
    });
  return {
    user_id: userId,
    event_count: events.length,
    sessions: sessions.reverse(),
    aggregates,
    events: shown,
  };
}

/** A visitor's survey answers grouped for people (docs/behaviour.md §6.17). */
export interface SurveyExtras {
  /** Answers to the demographic questions of the survey rules (age, gender, nationality, province, connection). */
  readonly demographic: Record<string, unknown>;
  /** Answers to the personalisation questions, humanised: item ids as titles, location tags as words. */
  readonly personalization: Record<string, unknown>;
  /** Answers whose question id speaks of the visitor's background. */
  readonly background: Record<string, unknown>;
  /** Answers whose question id speaks of feedback, a rating or satisfaction. */
  readonly feedback: Record<string, unknown>;
  /** Every other answer. */
  readonly other: Record<string, unknown>;
  readonly completed_demographic: boolean;
  readonly completed_personalization: boolean;
  readonly answer_count: number;
}

/** `AiARLocationBarrack3` → `Barrack 3`: the location prefix stripped, camel case and digits split. */
function humaniseLabel(text: string): string {
  const bare = text.replace(/^AiARLocation/, "");
  if (bare === text) return text;
  return bare
    .replace(/([a-z])([A-Z0-9])/g, "$1 $2")
    .replace(/([0-9])([A-Za-z])/g, "$1 $2")
    .trim();
}

/**
 * Group a visitor's merged survey answers for people, as the reference's extras do: demographic and
 * personalisation questions by the survey rules' question ids, background and feedback by the words in the
 * question id, the rest as other; personalisation answers are humanised (an all-digit pick is an item: its
 * title; a location tag loses its prefix and is split into words).
 * @param answers - question id → answer, merged over the visitor's events (later wins)
 * @param rules - the survey rules (`cfg.survey`)
 * @param titleOf - an item's title, or null
 */
export function surveyExtras(
  answers: Readonly<Record<string, unknown>>,
  rules: Pick<
    SurveyRules,
    | "age_ids"
    | "gender_ids"
    | "nationality_ids"
    | "province_ids"
    | "personal_connection_ids"
    | "personalization"
  >,
  titleOf: (id: string) => string | null,
): SurveyExtras {
  const demographicIds = new Set([
    ...rules.age_ids,
    ...rules.gender_ids,
    ...rules.nationality_ids,
    ...rules.province_ids,
    ...rules.personal_connection_ids,
  ]);
  const personalizationIds = new Set(rules.personalization.flatMap((rule) => rule.ids));
  const humanise = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(humanise);
    if (typeof value === "number" && Number.isInteger(value)) return titleOf(String(value)) ?? value;
    if (typeof value !== "string") return value;
    if (/^\d+$/.test(value.trim())) return titleOf(value.trim()) ?? value;
    return humaniseLabel(value);
  };
  const out: SurveyExtras = {
    demographic: {},
    personalization: {},
    background: {},
    feedback: {},
    other: {},
    completed_demographic: false,
    completed_personalization: false,
    answer_count: Object.keys(answers).length,
  };
  for (const [key, value] of Object.entries(answers)) {
    const id = key.toLowerCase();
    if (demographicIds.has(key)) out.demographic[key] = value;
    else if (personalizationIds.has(key)) out.personalization[key] = humanise(value);
    else if (/background/.test(id)) out.background[key] = value;
    else if (/feedback|rating|satisf/.test(id)) out.feedback[key] = value;
    else out.other[key] = value;
  }
  return {
    ...out,
    completed_demographic: Object.keys(out.demographic).length > 0,
    completed_personalization: Object.keys(out.personalization).length > 0,
  };
}
