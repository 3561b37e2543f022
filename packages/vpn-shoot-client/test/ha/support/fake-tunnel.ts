import { haPoolStart, haShootClientAddress, Ip, type Cidr } from '@vpn/common';
import { MAX_HA_SERVERS } from '../../../src/ha/path';
import type { Datagram, UdpBind, UdpSocket } from '../../../src/ha/ports';
import type { FakeClock } from './fake-clock';

/** One datagram crossing the tunnels: between seed pod `seedPod` and shoot client `client` through server `server`. */
export interface Crossing {
  server: number;
  client: number;
  seedPod: number;
  toShoot: boolean;
  data: Buffer;
}

interface Endpoint {
  port: number;
  onDatagram(datagram: Datagram): void;
}

/**
 * The HA tunnels in memory: seed pods (path controllers) and shoot clients (tunnel controllers) exchange
 * datagrams addressed as in the real transfer network. Seed pod i holds `…::10s:1001+i` on every server s,
 * shoot client k `…::10s:b0k`. `drop` and `delay` shape each crossing; every delivered one is in `log`.
 */
export class FakeTunnel {
  latencyMs = 1;
  drop: (crossing: Crossing) => boolean = () => false;
  /** Extra delay of a crossing, in ms. */
  delay: (crossing: Crossing) => number = () => 0;
  readonly log: Crossing[] = [];
  /** While set, send() of the seed (path controller) or shoot (tunnel controller) side throws this synchronously. */
  readonly sendThrows: { seed?: string; shoot?: string } = {};
  /** Rewrites every datagram shoot client `client` sends (a hostile, broken or leaving echo). */
  rewriteEcho: (data: Buffer, client: number) => Buffer = (data) => data;
  private readonly seeds = new Map<number, Endpoint>();
  private readonly shoots = new Map<number, Endpoint>();
  private nextPort = 40000;

  constructor(
    private readonly clock: FakeClock,
    private readonly vpnNetwork: Cidr,
  ) {}

  seedAddress(seedPod: number, server: number): Ip {
    return Ip.fromValue('IPv6', haPoolStart(this.vpnNetwork, server).value + 1n + BigInt(seedPod));
  }

  shootAddress(server: number, client: number): Ip {
    return haShootClientAddress(this.vpnNetwork, server, client);
  }

  bindSeed(seedPod: number): UdpBind {
    return ({ onDatagram }) => {
      const endpoint = { port: this.nextPort++, onDatagram };
      this.seeds.set(seedPod, endpoint);
      return Promise.resolve(
        this.socket(
          'seed',
          endpoint,
          () => this.seeds.delete(seedPod),
          (data, port, address) => this.toShoot(seedPod, endpoint, data, port, address),
        ),
      );
    };
  }

  bindShoot(client: number): UdpBind {
    return ({ port, onDatagram }) => {
      const endpoint = { port, onDatagram };
      this.shoots.set(client, endpoint);
      return Promise.resolve(
        this.socket(
          'shoot',
          endpoint,
          () => this.shoots.delete(client),
          (data, toPort, address) => this.toSeed(client, endpoint, data, toPort, address),
        ),
      );
    };
  }

  private socket(
    side: 'seed' | 'shoot',
    endpoint: Endpoint,
    unbind: () => void,
    send: (data: Buffer, port: number, address: string) => void,
  ): UdpSocket {
    return {
      port: endpoint.port,
      send: (data, port, address) => {
        const failure = this.sendThrows[side];
        if (failure !== undefined) throw new Error(failure);
        send(data, port, address);
        return Promise.resolve();
      },
      close: () => {
        unbind();
        return Promise.resolve();
      },
    };
  }

  private toShoot(seedPod: number, from: Endpoint, data: Buffer, port: number, address: string): void {
    const target = this.findPath(address, (server, client) => this.shootAddress(server, client));
    const shoot = target === undefined ? undefined : this.shoots.get(target.index);
    if (target === undefined || shoot === undefined || shoot.port !== port) return;
    const crossing = { server: target.server, client: target.index, seedPod, toShoot: true, data };
    const sender = this.seedAddress(seedPod, target.server).toString();
    this.deliver(crossing, () => this.shoots.get(target.index)?.onDatagram({ data, address: sender, port: from.port }));
  }

  private toSeed(client: number, from: Endpoint, original: Buffer, port: number, address: string): void {
    const data = this.rewriteEcho(original, client);
    const target = this.findPath(address, (server, seedPod) => this.seedAddress(seedPod, server));
    const seed = target === undefined ? undefined : this.seeds.get(target.index);
    if (target === undefined || seed === undefined || seed.port !== port) return;
    const crossing = { server: target.server, client, seedPod: target.index, toShoot: false, data };
    const sender = this.shootAddress(target.server, client).toString();
    this.deliver(crossing, () => this.seeds.get(target.index)?.onDatagram({ data, address: sender, port: from.port }));
  }

  private deliver(crossing: Crossing, receive: () => void): void {
    if (this.drop(crossing)) return;
    this.log.push(crossing);
    this.clock.after(this.latencyMs + this.delay(crossing), receive);
  }

  /** The (server, index) whose address `address` is, for indices 0..15. */
  private findPath(address: string, addressOf: (server: number, index: number) => Ip): { server: number; index: number } | undefined {
    const ip = Ip.tryParse(address);
    for (let server = 0; server < MAX_HA_SERVERS; server++) {
      for (let index = 0; index < 16; index++) if (ip !== undefined && addressOf(server, index).equals(ip)) return { server, index };
    }
    return undefined;
  }
}
