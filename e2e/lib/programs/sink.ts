import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { programArgument, say, unmapped } from './program-io';

/** Records every TCP connection and UDP datagram that reaches it: the isolation scenario's witness. */
export interface SinkConfig {
  port: number;
}

const config = programArgument<SinkConfig>();
net
  .createServer((socket) => {
    say(`tcp-accept from ${unmapped(socket.remoteAddress ?? '')} to ${unmapped(socket.localAddress ?? '')}`);
    socket.on('error', () => socket.destroy());
    socket.end();
  })
  .listen({ host: '::', port: config.port }, () => say(`tcp listening on ${config.port}`));
const udp = dgram.createSocket({ type: 'udp6', ipv6Only: false });
udp.on('message', (_msg, rinfo) => say(`udp-datagram from ${unmapped(rinfo.address)}`));
udp.bind({ address: '::', port: config.port }, () => say(`udp listening on ${config.port}`));
