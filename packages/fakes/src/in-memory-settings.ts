import type { RuntimeSettings, SettingsChange, SettingsStore } from "@recsys/ports";

/** Runtime settings in memory (the embedded default): one process, changes applied in one turn. */
export class InMemorySettingsStore implements SettingsStore {
  #current: RuntimeSettings = { version: 0, override: {} };
  readonly #changes: SettingsChange[] = [];
  readonly #maxChanges: number;

  /** @param options - `maxChanges`: the change log keeps the newest this many (default 1,000) */
  constructor(options: { readonly maxChanges?: number } = {}) {
    this.#maxChanges = options.maxChanges ?? 1000;
  }

  async current(): Promise<RuntimeSettings> {
    return structuredClone(this.#current);
  }

  async version(): Promise<number> {
    return this.#current.version;
  }

  async update(
    change: (current: Readonly<Record<string, unknown>>) => Record<string, unknown>,
    entry: Omit<SettingsChange, "version">,
  ): Promise<RuntimeSettings> {
    const override = change(structuredClone(this.#current.override));
    this.#current = { version: this.#current.version + 1, override: structuredClone(override) };
    this.#changes.unshift({ ...structuredClone(entry), version: this.#current.version });
    this.#changes.length = Math.min(this.#changes.length, this.#maxChanges);
    return structuredClone(this.#current);
  }

  async changes(limit = 50): Promise<SettingsChange[]> {
    return structuredClone(this.#changes.slice(0, limit));
  }

  async ping(): Promise<void> {}
}
