/**
 * A task that runs one at a time: run() while it runs returns that run and asks for one more after it,
 * since what the caller wants done may have changed after the run began. However many calls come in
 * meanwhile, one more run follows.
 */
export class CoalescedTask {
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly task: () => Promise<void>) {}

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves when no further run is pending; rejects when a run does. */
  run(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.runUntilSettled().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runUntilSettled(): Promise<void> {
    do {
      this.again = false;
      await this.task();
    } while (this.again);
  }
}
