import { oneLine, type Logger } from '@vpn/common';
import type { Clock } from './clock';
import { CoalescedTask } from './coalesced-task';
import type { NetworkPort, Watch, WatchLinks } from './ports';
import { serverOfTap } from './path';
import { TAP_POLL_INTERVAL_MS, TAP_RESYNC_INTERVAL_MS } from './timing';

/**
 * The HA tap devices present (`tap0`..`tap2`, one per server), followed by name: a tap that appeared,
 * vanished or was recreated (new ifindex, all its routes and neighbour entries gone) is reported as changed.
 */
export class TapMonitor {
  private taps = new Map<number, number>();
  private readonly refreshing = new CoalescedTask(() => this.refreshOnce());
  /** The callback of the latest refresh() call, for the run it starts or asks for. */
  private onChanges: (servers: number[]) => void = () => undefined;
  private failure: string | undefined;

  /** `serverLimit`: only taps of servers below it count (HA_VPN_SERVERS when given). */
  constructor(
    private readonly network: Pick<NetworkPort, 'listLinks'>,
    private readonly serverLimit: number,
    private readonly logger: Logger,
  ) {}

  /** Server index to ifindex of the taps present at the last poll. */
  get present(): ReadonlyMap<number, number> {
    return this.taps;
  }

  /** Lists the links; resolves with the servers whose tap changed since the last poll, ascending. */
  async poll(): Promise<number[]> {
    const { next, changed } = await this.scan();
    this.taps = next;
    return changed;
  }

  /**
   * Keeps the taps current until the returned function is called: refresh() whenever the kernel reports a link
   * change, and every TAP_RESYNC_INTERVAL_MS in case a report was lost; without reports (no `watchLinks`, or
   * subscribing failed, which is logged) every TAP_POLL_INTERVAL_MS. Each listing costs the process about a
   * millisecond of CPU, which at the poll's rate was a tenth of a controller's whole use.
   */
  follow(
    clock: Clock,
    watchLinks: WatchLinks | undefined,
    onChanges: (servers: number[]) => void,
    track: (task: Promise<void>) => void,
  ): () => void {
    const refresh = (): void => track(this.refresh(onChanges));
    let watch: Watch | undefined;
    try {
      watch = watchLinks?.(refresh);
    } catch (err) {
      this.logger.warn('could not subscribe to link changes, listing the links periodically', {
        ms: TAP_POLL_INTERVAL_MS,
        error: oneLine(err),
      });
    }
    const cancel = clock.every(watch === undefined ? TAP_POLL_INTERVAL_MS : TAP_RESYNC_INTERVAL_MS, refresh);
    // A change between the caller's first poll and the subscription would otherwise wait for the resync.
    if (watch !== undefined) refresh();
    return () => {
      cancel();
      if (watch !== undefined) track(watch.close());
    };
  }

  /**
   * poll() for timers and link reports: hands changes to `onChanges`, logs a failure once per streak of
   * identical ones. Never rejects. Asked while a poll runs, it polls once more after it. The new state is
   * committed only once `onChanges` returned: if it throws, the same changes are reported again by the next
   * refresh instead of being lost.
   */
  refresh(onChanges: (servers: number[]) => void): Promise<void> {
    this.onChanges = onChanges;
    return this.refreshing.run();
  }

  private async refreshOnce(): Promise<void> {
    const scanned = await this.scanLogged();
    if (scanned === undefined || scanned.changed.length === 0) return;
    const before = this.taps;
    this.taps = scanned.next;
    try {
      this.onChanges(scanned.changed);
    } catch (err) {
      this.taps = before;
      this.logger.error('handling tap changes failed, will retry', { error: oneLine(err) });
    }
  }

  private async scanLogged(): Promise<{ next: Map<number, number>; changed: number[] } | undefined> {
    try {
      const scanned = await this.scan();
      this.failure = undefined;
      return scanned;
    } catch (err) {
      const failure = oneLine(err);
      if (failure !== this.failure) this.logger.warn('could not list links, will retry', { error: failure });
      this.failure = failure;
      return undefined;
    }
  }

  private async scan(): Promise<{ next: Map<number, number>; changed: number[] }> {
    const next = new Map<number, number>();
    for (const link of await this.network.listLinks()) {
      const server = serverOfTap(link.name);
      if (server !== undefined && server < this.serverLimit) next.set(server, link.index);
    }
    const servers = new Set([...this.taps.keys(), ...next.keys()]);
    const changed = [...servers].filter((server) => this.taps.get(server) !== next.get(server)).sort((a, b) => a - b);
    return { next, changed };
  }
}
