import * as dgram from 'node:dgram';
import type { UdpBind, UdpSocket } from './ports';

/** UdpBind over Node's dgram: an IPv6-only socket (the HA transfer network is IPv6). */
export const bindUdp6: UdpBind = async ({ address, port, onDatagram }) => {
  const socket = dgram.createSocket({ type: 'udp6', ipv6Only: true });
  socket.on('message', (data, rinfo) => onDatagram({ data, address: rinfo.address, port: rinfo.port }));
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ address, port }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  // Errors after binding concern single datagrams, which the callers treat as lost.
  socket.on('error', () => undefined);
  const bound: UdpSocket = {
    port: socket.address().port,
    send: (data, toPort, toAddress) =>
      new Promise<void>((resolve, reject) => socket.send(data, toPort, toAddress, (err) => (err ? reject(err) : resolve()))),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  return bound;
};
