/**
 * A tiny TCP tool for kernel tests, run inside a namespace with `ip netns exec <ns> node tcp-peer.js ...`:
 * - `listen <port>`: both families; prints `ready`, then `<peer address>` per accepted connection, until killed;
 * - `connect <host> <port> <timeout ms>`: exits 0 once connected, 2 when the handshake did not complete in
 *   time (a dropped SYN or SYN-ACK), 1 on any other error (a reset, no route).
 */
import * as net from 'node:net';

const [mode, ...args] = process.argv.slice(2);

if (mode === 'listen') {
  net
    .createServer((socket) => {
      const address = socket.remoteAddress ?? '';
      process.stdout.write(`${address.startsWith('::ffff:') ? address.slice(7) : address}\n`);
      socket.on('error', () => socket.destroy());
      socket.end();
    })
    .listen({ host: '::', port: Number(args[0]) }, () => process.stdout.write('ready\n'));
} else if (mode === 'connect') {
  const [host = '', port = '', timeout = ''] = args;
  const socket = net.connect({ host, port: Number(port) }, () => process.exit(0));
  socket.on('error', (err) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  });
  setTimeout(() => process.exit(2), Number(timeout));
} else {
  process.stderr.write('usage: tcp-peer listen <port> | connect <host> <port> <timeout ms>\n');
  process.exit(64);
}
