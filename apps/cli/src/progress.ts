/** A progress line on stderr (users done, rate, ETA), redrawn in place; silent when stderr is not a terminal. */
export class Progress {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #label: string;
  readonly #started = Date.now();
  #total: number;
  #done = 0;
  #lastDraw = 0;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, total: number) {
    this.#stream = stream;
    this.#label = label;
    this.#total = total;
  }

  /** Whether anything is drawn. */
  get enabled(): boolean {
    return this.#stream.isTTY === true;
  }

  /** Grow the expected total (a later pass found more users). */
  addTotal(n: number): void {
    this.#total += n;
  }

  /** Count finished items and redraw at most ten times a second. */
  tick(n = 1): void {
    this.#done += n;
    const now = Date.now();
    if (!this.enabled || (now - this.#lastDraw < 100 && this.#done < this.#total)) return;
    this.#lastDraw = now;
    const seconds = (now - this.#started) / 1000;
    const rate = seconds > 0 ? this.#done / seconds : 0;
    const eta = rate > 0 ? Math.max(0, (this.#total - this.#done) / rate) : 0;
    const width = 24;
    const filled = this.#total > 0 ? Math.round((this.#done / this.#total) * width) : 0;
    const bar = `${"#".repeat(Math.min(width, filled))}${".".repeat(Math.max(0, width - filled))}`;
    this.#stream.write(
      `\r${this.#label} [${bar}] ${this.#done}/${this.#total} users, ${rate.toFixed(0)}/s, ETA ${eta.toFixed(0)} s `,
    );
  }

  /** End the line. */
  finish(): void {
    if (this.enabled) this.#stream.write("\n");
  }
}
