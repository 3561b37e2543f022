import { performance } from 'node:perf_hooks';

/** Time and periodic tasks, injected so that the controllers run under a fake clock in tests. */
export interface Clock {
  /** Monotonic milliseconds. */
  now(): number;
  /** Runs `task` every `intervalMs` until the returned function is called. */
  every(intervalMs: number, task: () => void): () => void;
  /** Runs `task` once, `delayMs` from now. */
  after(delayMs: number, task: () => void): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  every: (intervalMs, task) => {
    const timer = setInterval(task, intervalMs);
    return () => clearInterval(timer);
  },
  after: (delayMs, task) => {
    setTimeout(task, delayMs);
  },
};
