/** Promises started by timers and socket callbacks, so that stop() can wait until none touches the kernel any more. */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  /** Callers handle their own errors; a rejection that slips through is dropped here rather than left unhandled. */
  track(task: Promise<unknown>): void {
    const done = task.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(done);
    void done.then(() => this.pending.delete(done));
  }

  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
