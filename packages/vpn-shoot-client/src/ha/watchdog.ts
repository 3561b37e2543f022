import type { WatchdogSettings } from '@vpn/common';

/**
 * The reference's watchdog window: the last `windowSize` events (true = failure). When the failures in it
 * reach `threshold` the window is cleared, the next `cooldown` events are ignored, and record() asks for a
 * restart.
 */
export class FailureWindow {
  private readonly events: boolean[];
  private position = 0;
  private cooldownLeft = 0;

  constructor(private readonly settings: WatchdogSettings) {
    this.events = new Array<boolean>(settings.windowSize).fill(false);
  }

  get failures(): number {
    return this.events.filter(Boolean).length;
  }

  /** Events still ignored after the last restart. */
  get cooldown(): number {
    return this.cooldownLeft;
  }

  /** true when this event crossed the threshold: restart now. */
  record(failure: boolean): boolean {
    if (this.cooldownLeft > 0) {
      this.cooldownLeft -= 1;
      return false;
    }
    this.events[this.position] = failure;
    this.position = (this.position + 1) % this.settings.windowSize;
    if (this.failures < this.settings.threshold) return false;
    this.events.fill(false);
    this.position = 0;
    this.cooldownLeft = this.settings.cooldown;
    return true;
  }
}

export interface WatchdogEvent {
  server: number;
  /** No announcement came through this server's tap during the interval. */
  failure: boolean;
  /** Failures in the server's window after this event. */
  failures: number;
  /** The window crossed its threshold: restart this server's OpenVPN client. */
  restart: boolean;
}

/**
 * One failure window per server (tap present). Each WATCHDOG_INTERVAL_MS is one event per server: a
 * failure when no announcement arrived through its tap, so only the server whose tunnel is silent is
 * restarted. A tap that vanishes takes its window with it; one that appears starts a fresh window.
 */
export class ServerWatchdog {
  private readonly windows = new Map<number, { window: FailureWindow; heard: boolean }>();

  constructor(private readonly settings: WatchdogSettings) {}

  setServers(present: Iterable<number>): void {
    const servers = new Set(present);
    for (const server of this.windows.keys()) if (!servers.has(server)) this.windows.delete(server);
    for (const server of servers) {
      if (!this.windows.has(server)) this.windows.set(server, { window: new FailureWindow(this.settings), heard: false });
    }
  }

  announcementSeen(server: number): void {
    const entry = this.windows.get(server);
    if (entry) entry.heard = true;
  }

  /** Closes the current interval of every server, ascending. */
  endInterval(): WatchdogEvent[] {
    return [...this.windows.entries()]
      .sort(([a], [b]) => a - b)
      .map(([server, entry]) => {
        const failure = !entry.heard;
        entry.heard = false;
        const restart = entry.window.record(failure);
        return { server, failure, failures: entry.window.failures, restart };
      });
  }
}
