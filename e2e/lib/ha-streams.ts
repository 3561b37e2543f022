import * as path from 'node:path';
import type { HaLab } from './ha-lab';
import type { StreamOp, StreamResult } from './programs/stream';

/** The port of the stream server on the shoot hosts (programs/stream). */
export const STREAM_PORT = 9001;

const STREAM_PROGRAM = path.join(__dirname, 'programs', 'stream.js');
let started = 0;

/** A stream client running in a kube-apiserver pod; `stop` ends it and returns what it saw. */
export interface RunningStream {
  stop(): Promise<StreamResult>;
}

export async function startStreamServer(lab: HaLab): Promise<void> {
  await lab.startProgram(lab.ns.shootHosts, 'stream-server', 'stream', { op: 'serve', port: STREAM_PORT });
}

/** Starts `op` (echo or bulk to a shoot host's stream server) in kube-apiserver pod k. */
export async function startStream(lab: HaLab, k: number, op: Exclude<StreamOp, { op: 'serve' }>): Promise<RunningStream> {
  const proc = lab.supervisor.start({
    name: `kapi${k}-stream-${op.op}-${started++}`,
    netns: lab.ns.seedClients[k],
    file: process.execPath,
    args: [STREAM_PROGRAM, JSON.stringify(op)],
  });
  await proc.waitForLine(/stream started/, 5_000);
  return {
    stop: async () => {
      await proc.stop('SIGTERM');
      const last = proc.output().trim().split('\n').pop() ?? '';
      try {
        return JSON.parse(last) as StreamResult;
      } catch {
        throw new Error(`kube-apiserver pod ${k}: stream ${op.op} printed no result (${JSON.stringify(last)})`);
      }
    },
  };
}
