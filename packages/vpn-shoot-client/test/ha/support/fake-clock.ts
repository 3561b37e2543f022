import type { Clock } from '../../../src/ha/clock';

interface Timer {
  at: number;
  order: number;
  run(): void;
  interval?: number;
  cancelled: boolean;
}

/** A Clock whose time moves only in advance(); promises settle after every timer that fires. */
export class FakeClock implements Clock {
  private time = 0;
  private order = 0;
  private timers: Timer[] = [];

  now(): number {
    return this.time;
  }

  every(intervalMs: number, task: () => void): () => void {
    const timer: Timer = { at: this.time + intervalMs, order: this.order++, run: task, interval: intervalMs, cancelled: false };
    this.timers.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Runs `task` once, `delayMs` from now (in-memory datagrams use it for their latency). */
  after(delayMs: number, task: () => void): void {
    this.timers.push({ at: this.time + delayMs, order: this.order++, run: task, cancelled: false });
  }

  /**
   * The event loop was blocked for `ms`: time jumps, and every timer that came due meanwhile (ticks,
   * datagram deliveries) runs once, now, in creation order, as Node runs overdue timers after a block.
   */
  async stall(ms: number): Promise<void> {
    this.time += ms;
    for (const timer of this.timers) {
      if (timer.cancelled || timer.at > this.time) continue;
      timer.at = this.time;
    }
    await this.advance(0);
  }

  /** Advances in steps of 10 ms until `done` holds; throws after `limitMs`. */
  async waitFor(done: () => boolean, limitMs: number): Promise<void> {
    for (let waited = 0; !done(); waited += 10) {
      if (waited >= limitMs) throw new Error(`not done within ${limitMs} ms of fake time`);
      await this.advance(10);
    }
  }

  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      this.timers = this.timers.filter((timer) => !timer.cancelled);
      const next = this.timers.filter((timer) => timer.at <= end).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (next === undefined) break;
      this.time = next.at;
      if (next.interval === undefined) next.cancelled = true;
      else next.at += next.interval;
      next.run();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

/** Lets every pending promise chain run to its end (fakes resolve in microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
