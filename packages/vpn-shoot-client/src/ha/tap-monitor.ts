import { oneLine, type Logger } from '@vpn/common';
import type { NetworkPort } from './ports';
import { serverOfTap } from './path';

/**
 * The HA tap devices present (`tap0`..`tap2`, one per server), followed by name: a tap that appeared,
 * vanished or was recreated (new ifindex, all its routes and neighbour entries gone) is reported as changed.
 */
export class TapMonitor {
  private taps = new Map<number, number>();
  private polling = false;
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
   * poll() for a timer: skipped while the previous poll runs, hands changes to `onChanges`, logs a failure
   * once per streak of identical ones. Never rejects. The new state is committed only once `onChanges`
   * returned: if it throws, the same changes are reported again by the next refresh instead of being lost.
   */
  async refresh(onChanges: (servers: number[]) => void): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const scanned = await this.scanLogged();
      if (scanned === undefined || scanned.changed.length === 0) return;
      const before = this.taps;
      this.taps = scanned.next;
      try {
        onChanges(scanned.changed);
      } catch (err) {
        this.taps = before;
        this.logger.error('handling tap changes failed, will retry', { error: oneLine(err) });
      }
    } finally {
      this.polling = false;
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
