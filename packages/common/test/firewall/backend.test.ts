import { strict as assert } from 'node:assert';
import { detectBackend, iptablesBackend, IptablesCommandError, type CommandRunner } from '../../src/firewall/backend';
import { createLogger } from '../../src/log';

/** A runner where only the listed binaries list successfully; anything else exits 3, missing ones throw. */
function runnerWhere(working: string[], missing: string[] = []): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const runner: CommandRunner = async (file, args) => {
    calls.push([file, ...args].join(' '));
    if (missing.includes(file)) throw new Error(`${file}: spawn ENOENT`);
    return working.includes(file)
      ? { code: 0, stdout: '', stderr: '' }
      : { code: 3, stdout: '', stderr: '# Warning: iptables-legacy tables present, use iptables-legacy to see them\nno kernel support\n' };
  };
  return { runner, calls };
}

describe('iptables backend detection', () => {
  const lines: string[] = [];
  const log = createLogger({ style: 'iso', write: (l) => lines.push(l) });
  beforeEach(() => (lines.length = 0));

  it('prefers legacy when both of its binaries work, and logs the choice', async () => {
    const { runner, calls } = runnerWhere([
      '/usr/sbin/iptables-legacy', '/usr/sbin/ip6tables-legacy', '/usr/sbin/iptables-nft', '/usr/sbin/ip6tables-nft',
    ]);
    const backend = await detectBackend({ log, runner });
    assert.equal(backend.name, 'legacy');
    assert.equal(backend.handle(4).command, '/usr/sbin/iptables-legacy');
    assert.equal(backend.handle(6).command, '/usr/sbin/ip6tables-legacy');
    assert.deepEqual(calls.sort(), ['/usr/sbin/ip6tables-legacy --wait -n -L', '/usr/sbin/iptables-legacy --wait -n -L']);
    assert.match(lines[0]!, /info using iptables backend legacy$/);
  });

  it('falls back to nft when one legacy binary fails or is missing', async () => {
    for (const setup of [
      runnerWhere(['/usr/sbin/iptables-legacy', '/usr/sbin/iptables-nft', '/usr/sbin/ip6tables-nft']),
      runnerWhere(['/usr/sbin/ip6tables-legacy', '/usr/sbin/iptables-nft', '/usr/sbin/ip6tables-nft'], ['/usr/sbin/iptables-legacy']),
    ]) {
      const backend = await detectBackend({ log, runner: setup.runner });
      assert.equal(backend.name, 'nft');
      assert.equal(backend.handle(6).command, '/usr/sbin/ip6tables-nft');
    }
  });

  it('fails when neither backend works in both families', async () => {
    const { runner } = runnerWhere(['/usr/sbin/iptables-legacy', '/usr/sbin/ip6tables-nft']);
    await assert.rejects(detectBackend({ log, runner }), /^Error: could not find iptables backend$/);
  });

  it('takes the binaries from another directory when told', async () => {
    const { runner } = runnerWhere(['/opt/sbin/iptables-nft', '/opt/sbin/ip6tables-nft']);
    assert.equal((await detectBackend({ log, runner, sbinDir: '/opt/sbin' })).handle(4).command, '/opt/sbin/iptables-nft');
  });

  it('a handle waits for the xtables lock and turns a failed call into an error naming the command', async () => {
    const { runner, calls } = runnerWhere([]);
    const err = await iptablesBackend('nft', runner).handle(6).run(['-t', 'nat', '-S']).catch((e: unknown) => e);
    assert.ok(err instanceof IptablesCommandError);
    assert.equal(err.message, '/usr/sbin/ip6tables-nft --wait -t nat -S: exit 3: no kernel support');
    assert.deepEqual(calls, ['/usr/sbin/ip6tables-nft --wait -t nat -S']);
  });
});
