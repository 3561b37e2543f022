import * as net from 'node:net';
import { programArgument, say } from './program-io';

/**
 * Long-lived TCP connections through the tunnel, as an operator's `kubectl exec`, `logs -f` or a bulk copy
 * would hold them. `serve` (on the shoot hosts) reads a mode line from each connection: `echo` returns every
 * byte, `pull` sends as fast as the connection takes, `push` discards what it receives. The clients run in a
 * kube-apiserver pod until SIGTERM, then print one StreamResult line as JSON and exit (1 on a failure):
 * `echo` writes a numbered line every `everyMs` and expects it back; `bulk` keeps `connections` `pull` and as
 * many `push` connections busy (traffic both ways, every connection opened from the seed); `connects` opens a
 * new `echo` connection every `everyMs`, sends one line and closes it once the line came back: every request a
 * kube-apiserver makes to a webhook or a kubelet is such a connection.
 */
export type StreamOp =
  | { op: 'serve'; port: number }
  | { op: 'echo'; host: string; port: number; everyMs: number }
  | { op: 'bulk'; host: string; port: number; connections: number }
  | { op: 'connects'; host: string; port: number; everyMs: number };

export interface StreamResult {
  /** Why the connection(s) ended before SIGTERM, or '' when they lasted. */
  error: string;
  ms: number;
  /** echo: lines sent and lines that came back, in order. */
  sent: number;
  echoed: number;
  /** echo: the longest time between two echoed lines (the outage the connection's user saw). */
  longestSilenceMs: number;
  /** bulk: bytes received on the pull connections and written on the push connections. */
  pulledBytes: number;
  pushedBytes: number;
  /** connects: connections opened, and those that failed (no echo within 2 s, reset, refused). */
  connects: number;
  failedConnects: number;
  /** connects: when each failed connection was opened (ms since the epoch), and why it failed. */
  failures: { openedAtMs: number; error: string }[];
}

const CONNECT_TIMEOUT_MS = 2_000;

const CHUNK = Buffer.alloc(64 * 1024, 'x');

function serve(port: number): void {
  net
    .createServer((socket) => {
      socket.on('error', () => socket.destroy());
      socket.once('data', (first) => {
        const newline = first.indexOf('\n');
        const mode = first.subarray(0, newline).toString('utf8');
        const rest = first.subarray(newline + 1);
        if (mode === 'echo') {
          if (rest.length > 0) socket.write(rest);
          socket.pipe(socket);
        } else if (mode === 'pull') {
          const pump = (): void => {
            while (!socket.destroyed && socket.write(CHUNK));
          };
          socket.on('drain', pump);
          pump();
        } else if (mode === 'push') {
          socket.resume();
        } else {
          socket.destroy();
        }
      });
    })
    .listen({ host: '::', port }, () => say(`stream listening on ${port}`));
}

function connect(host: string, port: number, mode: string, onError: (message: string) => void): net.Socket {
  const socket = net.connect({ host, port });
  socket.setNoDelay(true);
  socket.write(`${mode}\n`);
  socket.on('error', (err) => onError(`${mode}: ${err.message}`));
  socket.on('close', () => onError(`${mode}: closed by the peer`));
  return socket;
}

function run(op: Exclude<StreamOp, { op: 'serve' }>): void {
  const started = Date.now();
  const result: StreamResult = {
    error: '',
    ms: 0,
    sent: 0,
    echoed: 0,
    longestSilenceMs: 0,
    pulledBytes: 0,
    pushedBytes: 0,
    connects: 0,
    failedConnects: 0,
    failures: [],
  };
  const sockets: net.Socket[] = [];
  let stopping = false;
  const fail = (message: string): void => {
    if (!stopping && result.error === '') result.error = message;
  };
  if (op.op === 'echo') {
    const socket = connect(op.host, op.port, 'echo', fail);
    sockets.push(socket);
    let lastEchoAt = started;
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('utf8');
      let newline: number;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (line !== String(result.echoed)) fail(`echo: line ${result.echoed} came back as ${JSON.stringify(line)}`);
        const now = Date.now();
        result.longestSilenceMs = Math.max(result.longestSilenceMs, now - lastEchoAt);
        lastEchoAt = now;
        result.echoed++;
      }
    });
    const timer = setInterval(() => socket.write(`${result.sent++}\n`), op.everyMs);
    socket.on('close', () => clearInterval(timer));
  } else if (op.op === 'connects') {
    const connectOnce = (): void => {
      const n = result.connects++;
      const openedAtMs = Date.now();
      const socket = net.connect({ host: op.host, port: op.port });
      let done = false;
      const finish = (failure: string | undefined): void => {
        if (done) return;
        done = true;
        clearTimeout(timeout);
        socket.destroy();
        if (failure === undefined) return;
        result.failedConnects++;
        if (!stopping && result.failures.length < 100) result.failures.push({ openedAtMs, error: `connection ${n}: ${failure}` });
      };
      const timeout = setTimeout(() => finish(`no echo within ${CONNECT_TIMEOUT_MS} ms`), CONNECT_TIMEOUT_MS);
      socket.on('error', (err) => finish(err.message));
      socket.on('close', () => finish('closed before the echo'));
      socket.on('data', (chunk) => {
        if (chunk.toString('utf8').includes(`${n}\n`)) finish(undefined);
      });
      socket.write(`echo\n${n}\n`);
    };
    const timer = setInterval(connectOnce, op.everyMs);
    process.on('SIGTERM', () => clearInterval(timer));
  } else {
    for (let i = 0; i < op.connections; i++) {
      const pull = connect(op.host, op.port, 'pull', fail);
      pull.on('data', (chunk: Buffer) => {
        result.pulledBytes += chunk.length;
      });
      const push = connect(op.host, op.port, 'push', fail);
      const pump = (): void => {
        while (!push.destroyed && push.write(CHUNK)) result.pushedBytes += CHUNK.length;
      };
      push.on('connect', pump);
      push.on('drain', pump);
      sockets.push(pull, push);
    }
  }
  say('stream started');
  process.on('SIGTERM', () => {
    stopping = true;
    result.ms = Date.now() - started;
    for (const socket of sockets) socket.destroy();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(result.error === '' ? 0 : 1);
  });
}

const op = programArgument<StreamOp>();
if (op.op === 'serve') serve(op.port);
else run(op);
