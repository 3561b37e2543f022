import { spawn, type ChildProcess } from 'node:child_process';
import { e2eLib } from './e2e-lib';

const { Netns } = e2eLib('netns') as typeof import('../e2e/dist/lib/netns');
const { watchUsage } = e2eLib('ha-usage') as typeof import('../e2e/dist/lib/ha-usage');

type Usage = import('../e2e/dist/lib/ha-usage').Usage;

/** The echoer's addresses: one per path of the lab's path controller (2 servers × 2 shoot clients). */
const ECHO_ADDRESSES = ['fd00:f1::10', 'fd00:f1::11', 'fd00:f1::12', 'fd00:f1::13'];
const PROBER_ADDRESS = 'fd00:f1::1';
const ECHO_PORT = 5400;
const START_UP_MS = 3000;

/**
 * What Node itself costs for the controllers' work, with none of our code: the built-in modules they load
 * (dgram, http listening for /metrics, crypto for nonces) and the lab's datagram rate, one JSON datagram
 * of the controllers' size to each of 4 addresses every 100 ms, each parsed and echoed back. Both run the
 * same node as the lab, across a veth pair between two namespaces of their own.
 */
const COMMON = `
const dgram = require('node:dgram');
require('node:http').createServer((req, res) => res.end()).listen(0);
const socket = dgram.createSocket({ type: 'udp6' });
`;

const PROBER = `${COMMON}
const { randomBytes } = require('node:crypto');
const targets = ${JSON.stringify(ECHO_ADDRESSES)};
const outstanding = new Map();
let seq = 0;
socket.on('message', (data) => {
  const echo = JSON.parse(data.toString('utf8'));
  outstanding.delete(echo.nonce);
});
socket.bind(0, '::', () => setInterval(() => {
  seq++;
  for (const target of targets) {
    const nonce = randomBytes(8).toString('hex');
    outstanding.set(nonce, Date.now());
    const probe = { v: 2, pod: '10.200.0.10', inst: '9f2c4e1a0b3d5c7e', epoch: 3, seq, nonce, role: 'active' };
    socket.send(Buffer.from(JSON.stringify(probe), 'utf8'), ${ECHO_PORT}, target);
  }
  if (outstanding.size > 1000) outstanding.clear();
}, 100));
`;

const ECHOER = `${COMMON}
socket.on('message', (data, from) => {
  JSON.parse(data.toString('utf8'));
  socket.send(data, from.port, from.address);
});
socket.bind(${ECHO_PORT}, '::');
`;

export interface NodeFloor {
  stop(): { name: string; usage: Usage }[];
}

/** Starts an idle node, the bare prober and the bare echoer, and samples them as the controllers are sampled. */
export async function startNodeFloor(prefix: string): Promise<NodeFloor> {
  const probing = await Netns.create(`${prefix}-probe`);
  const echoing = await Netns.create(`${prefix}-echo`);
  const children: ChildProcess[] = [];
  try {
    await probing.ip('link', 'add', 'fl0', 'type', 'veth', 'peer', 'name', 'fl1', 'netns', echoing.name);
    for (const ns of [probing, echoing]) await ns.sysctl({ 'net.ipv6.conf.all.accept_dad': 0, 'net.ipv6.conf.default.accept_dad': 0 });
    await probing.ipBatch([`addr add ${PROBER_ADDRESS}/64 dev fl0 nodad`, 'link set fl0 up', 'link set lo up']);
    await echoing.ipBatch([...ECHO_ADDRESSES.map((a) => `addr add ${a}/64 dev fl1 nodad`), 'link set fl1 up', 'link set lo up']);
    const start = (name: string, argv: { file: string; args: string[] }): { name: string; child: ChildProcess } => {
      const child = spawn(argv.file, argv.args, { stdio: 'ignore' });
      children.push(child);
      return { name, child };
    };
    const processes = [
      start('idle node (floor)', { file: process.execPath, args: ['-e', 'setInterval(() => {}, 1000)'] }),
      start('bare node prober (floor)', probing.command(process.execPath, ['-e', PROBER])),
      start('bare node echoer (floor)', echoing.command(process.execPath, ['-e', ECHOER])),
    ];
    // Node's own start-up is not part of the floor.
    await new Promise((resolve) => setTimeout(resolve, START_UP_MS));
    const watch = watchUsage(processes.map((p) => p.child.pid as number));
    return {
      stop: () => {
        const usage = watch.stop();
        for (const child of children) child.kill('SIGKILL');
        probing.destroy();
        echoing.destroy();
        return processes.map((p, i) => ({ name: p.name, usage: usage[i] }));
      },
    };
  } catch (err) {
    for (const child of children) child.kill('SIGKILL');
    probing.destroy();
    echoing.destroy();
    throw err;
  }
}
