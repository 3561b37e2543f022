import { strict as assert } from 'node:assert';
import { iptablesBackend, type CommandRunner } from '../../src/firewall/backend';
import { createFirewall, FirewallRollbackError, type Firewall } from '../../src/firewall/engine';
import { ruleTag, type Rule } from '../../src/firewall/rule';
import { seedServerFirewallRules, seedServerFirewallTag } from '../../src/firewall/seed-server-rules';
import { silentLogger } from '../../src/log';
import { Cidr } from '../../src/net/cidr';
import { FakeIptables } from './fake-iptables';

const TAG = seedServerFirewallTag('tun0');
const OTHER_TAG = ruleTag('vpn-seed-server', 'root');

const input = (family: 4 | 6, ...args: string[]): Rule => ({ family, table: 'filter', chain: 'INPUT', args });
const ACCEPT_REPLIES = ['-i', 'tun0', '-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'];
const DROP = ['-i', 'tun0', '-j', 'DROP'];

/** A failure that happens only the first time, so the rollback's own calls succeed. */
function once(predicate: (call: string) => boolean): (call: string) => boolean {
  let failed = false;
  return (call) => !failed && predicate(call) && (failed = true);
}

describe('firewall engine (fake iptables)', () => {
  let fake: FakeIptables;
  let firewall: Firewall;

  beforeEach(() => {
    fake = new FakeIptables();
    firewall = createFirewall(iptablesBackend('legacy', fake.runner), silentLogger);
  });

  const inputRules = (family: 4 | 6): string[] =>
    fake.listing(family, 'filter').split('\n').filter((line) => line.startsWith('-A INPUT'));

  it('appends the rules with the tag as comment, in order, in the right family', async () => {
    const result = await firewall.apply(TAG, [input(4, ...ACCEPT_REPLIES), input(4, ...DROP), input(6, ...DROP)]);
    assert.deepEqual(result, { added: 3, deleted: 0 });
    assert.deepEqual(inputRules(4), [
      '-A INPUT -i tun0 -m state --state RELATED,ESTABLISHED -m comment --comment "vpn-seed-server:firewall:tun0" -j ACCEPT',
      '-A INPUT -i tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j DROP',
    ]);
    assert.deepEqual(inputRules(6), ['-A INPUT -i tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j DROP']);
  });

  it('changes nothing when applied twice', async () => {
    const rules = seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') });
    await firewall.apply(TAG, rules);
    const state = fake.dump();
    const calls = fake.mutations.length;
    assert.deepEqual(await firewall.apply(TAG, rules), { added: 0, deleted: 0 });
    assert.equal(fake.mutations.length, calls);
    assert.equal(fake.dump(), state);
  });

  it('recognises its rules in the canonical form iptables prints them', async () => {
    fake.seed(
      4,
      'nat',
      `-A PREROUTING -d 241.0.0.0/8 -i tun0 -m comment --comment "${TAG}" -j NETMAP --to 10.96.0.0/11`,
      `-A POSTROUTING -s 10.96.0.0/11 -o tun0 -m comment --comment "${TAG}" -j NETMAP --to 241.0.0.0/8`,
    );
    const rules: Rule[] = [
      { family: 4, table: 'nat', chain: 'PREROUTING', args: ['--in-interface', 'tun0', '-d', '241.7.0.0/8', '-j', 'NETMAP', '--to', '10.96.1.0/11'] },
      { family: 4, table: 'nat', chain: 'POSTROUTING', args: ['--out-interface', 'tun0', '-s', '10.96.0.0/11', '-j', 'NETMAP', '--to', '241.0.0.0/8'] },
    ];
    assert.deepEqual(await firewall.apply(TAG, rules), { added: 0, deleted: 0 });
    assert.deepEqual(fake.mutations, []);
  });

  it('replaces a stale rule of a changed configuration and leaves the unchanged ones alone', async () => {
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') }));
    const filterBefore = fake.listing(4, 'filter');
    fake.mutations.length = 0;
    const result = await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('100.64.0.0/12') }));
    assert.deepEqual(result, { added: 2, deleted: 2 });
    assert.ok(fake.mutations.every((call) => call.startsWith('4 nat ')));
    assert.equal(fake.listing(4, 'filter'), filterBefore);
    const nat = fake.listing(4, 'nat');
    assert.match(nat, /NETMAP --to 100\.64\.0\.0\/12/);
    assert.doesNotMatch(nat, /10\.96\.0\.0/);
  });

  it('deletes duplicates the reference left behind', async () => {
    const netmap = `-A PREROUTING -d 241.0.0.0/8 -i tun0 -m comment --comment "${TAG}" -j NETMAP --to 10.96.0.0/11`;
    fake.seed(4, 'nat', netmap, netmap);
    const rules = seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') }).filter((r) => r.chain === 'PREROUTING');
    assert.deepEqual(await firewall.apply(TAG, rules), { added: 0, deleted: 1 });
    assert.equal(fake.listing(4, 'nat').split('\n').filter((l) => l.startsWith('-A')).length, 1);
  });

  it('puts ACCEPT-established back before DROP when the ACCEPT rule is missing', async () => {
    fake.seed(4, 'filter', `-A INPUT -i tun0 -m comment --comment "${TAG}" -j DROP`);
    await firewall.apply(TAG, [input(4, ...ACCEPT_REPLIES), input(4, ...DROP)]);
    assert.deepEqual(
      inputRules(4).map((l) => l.split(' ').pop()),
      ['ACCEPT', 'DROP'],
    );
  });

  it('restores the order when its rules are there but swapped, and keeps the later of two duplicates', async () => {
    fake.seed(
      4,
      'filter',
      `-A INPUT -i tun0 -m state --state RELATED,ESTABLISHED -m comment --comment "${TAG}" -j ACCEPT`,
      `-A INPUT -i tun0 -m comment --comment "${TAG}" -j DROP`,
      `-A INPUT -i tun0 -m state --state RELATED,ESTABLISHED -m comment --comment "${TAG}" -j ACCEPT`,
    );
    await firewall.apply(TAG, [input(4, ...ACCEPT_REPLIES), input(4, ...DROP)]);
    assert.deepEqual(inputRules(4).map((l) => l.split(' ').pop()), ['ACCEPT', 'DROP']);
  });

  it('never touches foreign rules or rules of another tag', async () => {
    fake.seed(4, 'filter', '-A INPUT -i tun0 -p udp -m udp --dport 53 -j ACCEPT', `-A INPUT -i tun0 -m comment --comment "${OTHER_TAG}" -j DROP`);
    fake.seed(6, 'filter', '-A INPUT -i tun0 -m comment --comment "somebody-else" -j DROP');
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0' }));
    await firewall.remove(TAG);
    assert.deepEqual(inputRules(4), ['-A INPUT -i tun0 -p udp -m udp --dport 53 -j ACCEPT', `-A INPUT -i tun0 -m comment --comment "${OTHER_TAG}" -j DROP`]);
    assert.deepEqual(inputRules(6), ['-A INPUT -i tun0 -m comment --comment "somebody-else" -j DROP']);
  });

  it('removes every rule of the tag in both families without knowing the flags they were built from', async () => {
    const before = fake.dump();
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') }));
    // `firewall --mode down` gets no --seed-pod-network; the NETMAP rules must still go.
    assert.deepEqual(await firewall.remove(TAG), { added: 0, deleted: 10 });
    assert.equal(fake.dump(), before);
    assert.deepEqual(await firewall.remove(TAG), { added: 0, deleted: 0 });
  });

  it('rolls back to the previous rules of the tag when a call fails, and reports the original error', async () => {
    fake.seed(4, 'filter', '-A INPUT -i lo -j ACCEPT');
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') }));
    fake.seed(4, 'filter', '-A INPUT -i eth0 -j ACCEPT');
    const before = fake.dump();
    fake.failWhen = once((call) => call.startsWith('4 filter -D INPUT') && call.includes('DROP'));
    await assert.rejects(
      firewall.apply(TAG, [
        input(4, '-i', 'tun0', '-p', 'tcp', '--dport', '22', '-j', 'ACCEPT'),
        ...seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('100.64.0.0/12') }),
      ]),
      /injected failure/,
    );
    assert.equal(fake.dump(), before);
  });

  it('rolls back a half-applied first apply to nothing', async () => {
    fake.failWhen = (call) => call.startsWith('6 filter -A FORWARD');
    await assert.rejects(firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0' })), /injected failure/);
    assert.equal(fake.dump(), new FakeIptables().dump());
  });

  it('says so when the rollback fails too, keeping the first error as cause', async () => {
    fake.failWhen = (call) => call.startsWith('6 filter -A') || call.includes(' -D ');
    const err = await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0' })).catch((e: unknown) => e);
    assert.ok(err instanceof FirewallRollbackError);
    assert.match(err.message, /injected failure.*restoring the previous rules of vpn-seed-server:firewall:tun0 failed as well/);
    assert.match(String((err.cause as Error).message), /-A INPUT/);
  });

  it('treats a table the kernel lacks as holding none of its rules', async () => {
    fake.missingTables.add('6 nat');
    fake.missingTables.add('6 mangle');
    assert.deepEqual(await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') })), { added: 10, deleted: 0 });
    assert.deepEqual(await firewall.remove(TAG), { added: 0, deleted: 10 });
  });

  it('fails when a table cannot be listed for another reason, before changing anything', async () => {
    const denied: CommandRunner = async (file, args) =>
      file.includes('ip6tables') && args.includes('-S')
        ? { code: 4, stdout: '', stderr: 'iptables: Permission denied (you must be root).\n' }
        : fake.runner(file, args);
    const unprivileged = createFirewall(iptablesBackend('legacy', denied), silentLogger);
    await assert.rejects(unprivileged.apply(TAG, [input(4, ...DROP)]), /exit 4: iptables: Permission denied/);
    assert.deepEqual(fake.mutations, []);
  });

  it('refuses rules that bring their own comment', async () => {
    await assert.rejects(firewall.apply(TAG, [input(4, '-m', 'comment', '--comment', 'x', '-j', 'DROP')]), /adds the tag itself/);
    assert.deepEqual(fake.mutations, []);
  });
});
