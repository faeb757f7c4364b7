import { safeParseUserSignals, type UserModelStore, type UserSignals } from "@recsys/ports";

/**
 * The in-memory model store. Models are kept as JSON text, so what comes back is always a fresh copy that
 * went through the same serialisation as a real store.
 */
export class InMemoryUserModelStore implements UserModelStore {
  readonly #models = new Map<string, string>();

  async getSignals(userId: string): Promise<UserSignals | null> {
    const text = this.#models.get(userId);
    if (text === undefined) return null;
    const parsed = safeParseUserSignals(JSON.parse(text));
    return parsed.success ? parsed.output : null;
  }

  async saveSignals(signals: UserSignals): Promise<void> {
    this.#models.set(signals.user_id, JSON.stringify(signals));
  }

  async ping(): Promise<void> {}

  /** Every stored user id. */
  userIds(): string[] {
    return [...this.#models.keys()];
  }
}
