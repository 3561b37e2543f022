import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const MODULE = path.join(__dirname, '..', '..', 'src', 'commands', 'connect-relay.js');

/**
 * Runs node under the name `name` (a symlink, which is what /proc/<pid>/comm shows) as the parent of a child
 * that calls stopParentOpenvpn; resolves with how the parent ended.
 */
async function parentNamed(name: string): Promise<{ signal: NodeJS.Signals | null; childLog: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vpn-stop-parent-'));
  try {
    const binary = path.join(dir, name);
    symlinkSync(process.execPath, binary);
    const child = `const { createLogger } = require('@vpn/common');
      require(${JSON.stringify(MODULE)}).stopParentOpenvpn(createLogger({ style: 'iso', write: (l) => process.stdout.write(l + '\\n') }));`;
    const parent = `const c = require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(child)}], { stdio: 'inherit' });
      c.on('exit', () => setTimeout(() => process.exit(0), 200));`;
    const proc = spawn(binary, ['-e', parent], { cwd: path.join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    let childLog = '';
    proc.stdout.on('data', (chunk: Buffer) => (childLog += chunk.toString()));
    // 'close', not 'exit': the child logs after the parent died, through the pipe they share, which ends only when both have.
    const [, signal] = (await once(proc, 'close')) as [number | null, NodeJS.Signals | null];
    return { signal, childLog };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('connect relay: a crash takes OpenVPN along', () => {
  it('sends SIGTERM to its parent when the parent is openvpn, so that the container restarts', async () => {
    const { signal, childLog } = await parentNamed('openvpn');
    assert.equal(signal, 'SIGTERM');
    assert.match(childLog, /connect relay failing: stopped OpenVPN so that the container restarts pid=\d+/);
  });

  it('leaves any other parent alone (outside a container the relay is adopted by something else)', async () => {
    const { signal, childLog } = await parentNamed('not-openvpn');
    assert.equal(signal, null);
    assert.equal(childLog, '');
  });
});
