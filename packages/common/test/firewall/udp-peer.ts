/**
 * A tiny UDP tool for kernel tests, run inside a namespace with `ip netns exec <ns> node udp-peer.js ...`:
 * - `listen <port>`: prints `ready`, then `<sender address> <payload>` per datagram, until killed;
 * - `echo <port>`: prints `ready`, sends every datagram back to its sender, until killed;
 * - `send <host> <port> <payload> [<reply timeout ms>]`: sends one datagram; with a timeout it waits for
 *   the reply, prints `<sender address> <payload>` and exits 0, or exits 2 when none came.
 * Listeners take both families on one socket; IPv4 senders are printed as plain IPv4 addresses.
 */
import * as dgram from 'node:dgram';
import * as net from 'node:net';

const [mode, ...args] = process.argv.slice(2);

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function bind(port: number, onMessage: (socket: dgram.Socket, payload: Buffer, from: dgram.RemoteInfo) => void): void {
  const socket = dgram.createSocket({ type: 'udp6', ipv6Only: false });
  socket.on('message', (payload, from) => onMessage(socket, payload, from));
  socket.bind(port, '::', () => process.stdout.write('ready\n'));
}

if (mode === 'listen') {
  bind(Number(args[0]), (_socket, payload, from) => process.stdout.write(`${unmapped(from.address)} ${payload.toString()}\n`));
} else if (mode === 'echo') {
  bind(Number(args[0]), (socket, payload, from) => socket.send(payload, from.port, from.address));
} else if (mode === 'send') {
  const [host = '', port = '', payload = '', replyTimeout] = args;
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  socket.on('message', (reply, from) => {
    process.stdout.write(`${from.address} ${reply.toString()}\n`);
    process.exit(0);
  });
  socket.send(payload, Number(port), host, (err) => {
    if (err) throw err;
    if (replyTimeout === undefined) process.exit(0);
    setTimeout(() => process.exit(2), Number(replyTimeout));
  });
} else {
  process.stderr.write(`usage: udp-peer listen|echo <port> | send <host> <port> <payload> [<reply timeout ms>]\n`);
  process.exit(64);
}
