import { haPoolStart, haShootClientAddress, Ip, type Cidr } from '@vpn/common';
import { MAX_HA_SERVERS } from '../../../src/ha/path';
import type { UdpBind, UdpSocket } from '../../../src/ha/ports';
import { bindUdp6 } from '../../../src/ha/udp';

/**
 * Real UDP sockets on ::1 standing in for the tunnels of one seed pod and its shoot clients. The path
 * controller's datagram to shoot client k on server s leaves from a real socket of its own for that path,
 * so the shoot side can tell from the real source port which server it "came through" and present it
 * from the seed pod's address on that server; echoes travel back the same way. `blocked` servers lose
 * everything.
 */
export class LoopbackTunnels {
  readonly blocked = new Set<number>();
  private readonly shootPorts = new Map<number, number>();
  private readonly serverOfSeedPort = new Map<number, number>();
  private readonly pathSockets: UdpSocket[] = [];

  constructor(private readonly vpnNetwork: Cidr) {}

  seedAddress(server: number): Ip {
    return Ip.fromValue('IPv6', haPoolStart(this.vpnNetwork, server).value + 1n);
  }

  bindShoot(client: number): UdpBind {
    return async ({ onDatagram }) => {
      const socket = await bindUdp6({
        address: '::1',
        port: 0,
        onDatagram: (d) => {
          const server = this.serverOfSeedPort.get(d.port);
          if (server === undefined || this.blocked.has(server)) return;
          onDatagram({ data: d.data, address: this.seedAddress(server).toString(), port: d.port });
        },
      });
      this.shootPorts.set(client, socket.port);
      return { port: socket.port, send: (data, port) => socket.send(data, port, '::1'), close: () => socket.close() };
    };
  }

  bindSeed(): UdpBind {
    return ({ port: announcementPort, onDatagram }) => {
      const byPath = new Map<string, Promise<UdpSocket>>();
      const socketFor = (server: number, client: number): Promise<UdpSocket> => {
        const key = `${server}/${client}`;
        let socket = byPath.get(key);
        if (socket === undefined) {
          const from = haShootClientAddress(this.vpnNetwork, server, client).toString();
          socket = bindUdp6({
            address: '::1',
            port: 0,
            onDatagram: (d) => {
              if (!this.blocked.has(server)) onDatagram({ data: d.data, address: from, port: d.port });
            },
          }).then((bound) => {
            this.serverOfSeedPort.set(bound.port, server);
            this.pathSockets.push(bound);
            return bound;
          });
          byPath.set(key, socket);
        }
        return socket;
      };
      return Promise.resolve({
        port: announcementPort,
        send: async (data, _port, address) => {
          const path = this.findPath(Ip.parse(address));
          const shootPort = path === undefined ? undefined : this.shootPorts.get(path.client);
          if (path === undefined || shootPort === undefined || this.blocked.has(path.server)) return;
          await (await socketFor(path.server, path.client)).send(data, shootPort, '::1');
        },
        close: async () => {
          await Promise.all(this.pathSockets.map((socket) => socket.close()));
        },
      });
    };
  }

  private findPath(address: Ip): { server: number; client: number } | undefined {
    for (let server = 0; server < MAX_HA_SERVERS; server++) {
      for (let client = 0; client < 4; client++) {
        if (haShootClientAddress(this.vpnNetwork, server, client).equals(address)) return { server, client };
      }
    }
    return undefined;
  }
}
