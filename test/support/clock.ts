/** An injected clock for tests: time moves only when a test (or a watch's sleep) moves it. */
export class Clock {
  constructor(public t: number = Date.UTC(2026, 11, 2, 12, 0, 0)) {}
  readonly now = (): Date => new Date(this.t);
  readonly ms = (): number => this.t;
  advance(ms: number): this {
    this.t += ms;
    return this;
  }
  /** A watch's sleep: no waiting, the clock jumps. */
  readonly sleep = async (ms: number): Promise<void> => {
    this.t += ms;
  };
}
