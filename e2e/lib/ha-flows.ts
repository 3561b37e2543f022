import * as net from 'node:net';
import type { Upstream } from './connect-proxy';
import { programArgument, say } from './programs/program-io';

/**
 * Many concurrent TCP flows, run inside a lab namespace. `sink` (on the shoot hosts) counts the bytes of
 * each connection and answers `got <n>` when the sender half-closes; `send` opens `flows` connections to
 * each target at once, sends `bytes` on each and prints a FlowsResult as JSON.
 */
export type FlowsOp = { op: 'sink'; port: number } | { op: 'send'; targets: Upstream[]; flows: number; bytes: number; timeoutMs: number };

export interface FlowsResult {
  ok: number;
  failed: number;
  /** The first failure, if any. */
  detail: string;
  ms: number;
}

function sink(port: number): void {
  net
    .createServer((socket) => {
      let received = 0;
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk) => {
        received += chunk.length;
      });
      socket.on('end', () => socket.end(`got ${received}\n`));
    })
    .listen({ host: '::', port }, () => say(`listening on ${port}`));
}

function flow(target: Upstream, payload: Buffer): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(target);
    let answer = '';
    socket.on('error', (err) => resolve(`${target.host}: ${err.message}`));
    socket.on('connect', () => socket.end(payload));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('close', () =>
      resolve(answer.trim() === `got ${payload.length}` ? undefined : `${target.host}: answered ${JSON.stringify(answer)}`),
    );
  });
}

async function send(op: Extract<FlowsOp, { op: 'send' }>): Promise<void> {
  const started = Date.now();
  const payload = Buffer.alloc(op.bytes, 'x');
  const timer = setTimeout(() => {
    process.stdout.write(
      JSON.stringify({ ok: 0, failed: op.flows * op.targets.length, detail: `timeout after ${op.timeoutMs} ms`, ms: op.timeoutMs }) + '\n',
    );
    process.exit(1);
  }, op.timeoutMs);
  const outcomes = await Promise.all(op.targets.flatMap((target) => Array.from({ length: op.flows }, () => flow(target, payload))));
  clearTimeout(timer);
  const failures = outcomes.filter((o): o is string => o !== undefined);
  const result: FlowsResult = {
    ok: outcomes.length - failures.length,
    failed: failures.length,
    detail: failures[0] ?? '',
    ms: Date.now() - started,
  };
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(failures.length === 0 ? 0 : 1);
}

const op = programArgument<FlowsOp>();
if (op.op === 'sink') sink(op.port);
else void send(op);
