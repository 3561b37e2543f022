import { strict as assert } from 'node:assert';
import { detectBackend, iptablesBackend, IptablesCommandError, type CommandRunner } from '../../src/firewall/backend';
import { createLogger } from '../../src/log';

/** A runner where only the listed binaries list successfully; anything else exits 3, missing ones throw. */
function runnerWhere(working: string[], missing: string[] = []): { runner: CommandRunner; calls: string[] } {
  const calls: string[] = [];
  const runner: CommandRunner = (file, args) => {
    calls.push([file, ...args].join(' '));
    if (missing.includes(file)) return Promise.reject(new Error(`${file}: spawn ENOENT`));
    return Promise.resolve(
      working.includes(file)
        ? { code: 0, stdout: '', stderr: '' }
        : {
            code: 3,
            stdout: '',
            stderr: '# Warning: iptables-legacy tables present, use iptables-legacy to see them\nno kernel support\n',
          },
    );
  };
  return { runner, calls };
}

describe('iptables backend detection', () => {
  const lines: string[] = [];
  const log = createLogger({ style: 'iso', write: (l) => lines.push(l) });
  beforeEach(() => (lines.length = 0));

  it('prefers legacy when both of its binaries work, and logs the choice', async () => {
    const { runner, calls } = runnerWhere([
      '/usr/sbin/iptables-legacy',
      '/usr/sbin/ip6tables-legacy',
      '/usr/sbin/iptables-nft',
      '/usr/sbin/ip6tables-nft',
    ]);
    const backend = await detectBackend({ log, runner });
    assert.equal(backend.name, 'legacy');
    assert.equal(backend.handle(4).command, '/usr/sbin/iptables-legacy');
    assert.equal(backend.handle(6).command, '/usr/sbin/ip6tables-legacy');
    assert.deepEqual(calls.sort(), [
      '/usr/sbin/ip6tables-legacy --wait -n -L',
      '/usr/sbin/ip6tables-legacy-save',
      '/usr/sbin/iptables-legacy --wait -n -L',
      '/usr/sbin/iptables-legacy-save',
    ]);
    assert.match(lines[0], /info using iptables backend legacy$/);
  });

  it("reads each family's rules alongside the check: the first save() is that read, later ones read again", async () => {
    const calls: string[] = [];
    let reads = 0;
    const runner: CommandRunner = (file) => {
      calls.push(file);
      return Promise.resolve({ code: 0, stdout: file.endsWith('-save') ? `# read ${++reads}\n` : '', stderr: '' });
    };
    const backend = await detectBackend({ log, runner });
    const first = [await backend.handle(4).save(), await backend.handle(6).save()];
    assert.deepEqual(first.sort(), ['# read 1\n', '# read 2\n']);
    assert.equal(calls.filter((c) => c.endsWith('-save')).length, 2);
    assert.equal(await backend.handle(4).save(), '# read 3\n');
  });

  it('a failed read alongside the check fails the first save(), and the read of a refused backend is dropped', async () => {
    const runner: CommandRunner = (file) =>
      Promise.resolve(
        file.endsWith('-legacy-save')
          ? { code: 4, stdout: '', stderr: 'permission denied\n' }
          : { code: file.includes('legacy') ? 3 : 0, stdout: file.endsWith('-save') ? '*nat\nCOMMIT\n' : '', stderr: '' },
      );
    const nft = await detectBackend({ log, runner });
    assert.equal(nft.name, 'nft');
    assert.equal(await nft.handle(4).save(), '*nat\nCOMMIT\n');
    const failing: CommandRunner = (file) =>
      Promise.resolve(
        file.endsWith('-save') ? { code: 4, stdout: '', stderr: 'permission denied\n' } : { code: 0, stdout: '', stderr: '' },
      );
    const legacy = await detectBackend({ log, runner: failing });
    await assert.rejects(legacy.handle(6).save(), IptablesCommandError);
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

  it("a handle saves and restores with the backend's binaries, legacy waiting for the xtables lock", async () => {
    const calls: string[] = [];
    const runner: CommandRunner = (file, args, input) => {
      calls.push([file, ...args, JSON.stringify(input)].join(' '));
      return Promise.resolve({ code: 0, stdout: file.endsWith('-save') ? '*nat\nCOMMIT\n' : '', stderr: '' });
    };
    assert.equal(await iptablesBackend('legacy', runner).handle(4).save(), '*nat\nCOMMIT\n');
    await iptablesBackend('legacy', runner).handle(6).restore('*nat\nCOMMIT\n');
    await iptablesBackend('nft', runner).handle(4).restore('*filter\nCOMMIT\n');
    assert.deepEqual(calls, [
      '/usr/sbin/iptables-legacy-save ',
      '/usr/sbin/ip6tables-legacy-restore --wait --noflush "*nat\\nCOMMIT\\n"',
      '/usr/sbin/iptables-nft-restore --noflush "*filter\\nCOMMIT\\n"',
    ]);
  });

  it('turns a failed restore into an error naming the command and the input line it rejected', async () => {
    const runner: CommandRunner = () =>
      Promise.resolve({
        code: 4,
        stdout: '',
        stderr:
          '# Warning: iptables-legacy tables present, use iptables-legacy to see them\niptables-nft-restore v1.8.9 (nf_tables): \nline 3: RULE_APPEND failed (Invalid argument): rule in chain POSTROUTING\n',
      });
    const input = '*nat\n-A OUTPUT -j ACCEPT\n-A POSTROUTING -j DNAT --to-destination 192.0.2.1\nCOMMIT\n';
    const err = await iptablesBackend('nft', runner)
      .handle(4)
      .restore(input)
      .catch((e: unknown) => e);
    assert.ok(err instanceof IptablesCommandError);
    assert.equal(err.failedLine, '-A POSTROUTING -j DNAT --to-destination 192.0.2.1');
    assert.equal(
      err.message,
      '/usr/sbin/iptables-nft-restore --noflush: exit 4: iptables-nft-restore v1.8.9 (nf_tables): line 3: RULE_APPEND failed (Invalid argument): rule in chain POSTROUTING (at: -A POSTROUTING -j DNAT --to-destination 192.0.2.1)',
    );
  });
});
