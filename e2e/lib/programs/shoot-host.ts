import * as net from 'node:net';
import { programArgument, say, unmapped } from './program-io';

/** A shoot host service: answers one request line with `pong <address it was reached on> <request>`. */
export interface ShootHostConfig {
  port: number;
}

const config = programArgument<ShootHostConfig>();
net
  .createServer((socket) => {
    socket.on('error', () => socket.destroy());
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const nl = buffered.indexOf('\n');
      if (nl < 0) return;
      socket.end(`pong ${unmapped(socket.localAddress ?? '')} ${buffered.slice(0, nl)}\n`);
    });
  })
  .listen({ host: '::', port: config.port }, () => say(`listening on ${config.port}`));
