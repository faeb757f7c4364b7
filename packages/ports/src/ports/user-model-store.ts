import type { UserSignals } from "../schemas/user-signals.js";

/** Where materialised user models live. */
export interface UserModelStore {
  /**
   * The stored model, or null when there is none (or what is stored is unreadable). The model is frozen
   * (`freezeSignals`): a store may hand the same object to every reader until the model changes, so
   * readers never change it (build a new model instead).
   * @param userId - the user
   */
  getSignals(userId: string): Promise<UserSignals | null>;
  /**
   * Store (replace) a user's model.
   * @param signals - the model
   */
  saveSignals(signals: UserSignals): Promise<void>;
  /** Check the store is reachable; rejects with `StoreUnavailableError` when not. */
  ping(): Promise<void>;
}
