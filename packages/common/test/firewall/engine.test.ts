import { strict as assert } from 'node:assert';
import { iptablesBackend, type CommandRunner } from '../../src/firewall/backend';
import { createFirewall, type Firewall } from '../../src/firewall/engine';
import { ruleTag, type Rule } from '../../src/firewall/rule';
import {
  SEED_SERVER_ROOT_TAG,
  seedServerFirewallRules,
  seedServerFirewallTag,
  seedServerRootRules,
} from '../../src/firewall/seed-server-rules';
import { createLogger, silentLogger } from '../../src/log';
import { Cidr } from '../../src/net/cidr';
import { shootNetworksForNetmap } from '../../src/net/netmap';
import { FakeIptables } from './fake-iptables';

const TAG = seedServerFirewallTag('tun0');
const OTHER_TAG = ruleTag('vpn-seed-server', 'root');

const input = (family: 4 | 6, ...args: string[]): Rule => ({ family, table: 'filter', chain: 'INPUT', args });
const ACCEPT_REPLIES = ['-i', 'tun0', '-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'];
const DROP = ['-i', 'tun0', '-j', 'DROP'];

/** The envoy NETMAP rules of the root command for 1,000 shoot node networks. */
const THOUSAND_NETWORKS = seedServerRootRules(
  shootNetworksForNetmap(
    [],
    [],
    Array.from({ length: 1000 }, (_, i) => Cidr.parse(`10.${i >> 8}.${i & 255}.0/24`)),
  ),
);

describe('firewall engine (fake iptables)', () => {
  let fake: FakeIptables;
  let firewall: Firewall;

  beforeEach(() => {
    fake = new FakeIptables();
    firewall = createFirewall(iptablesBackend('legacy', fake.runner), silentLogger);
  });

  const inputRules = (family: 4 | 6): string[] =>
    fake
      .listing(family, 'filter')
      .split('\n')
      .filter((line) => line.startsWith('-A INPUT'));

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
    const calls = fake.restores.length;
    assert.deepEqual(await firewall.apply(TAG, rules), { added: 0, deleted: 0 });
    assert.equal(fake.restores.length, calls);
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
      {
        family: 4,
        table: 'nat',
        chain: 'PREROUTING',
        args: ['--in-interface', 'tun0', '-d', '241.7.0.0/8', '-j', 'NETMAP', '--to', '10.96.1.0/11'],
      },
      {
        family: 4,
        table: 'nat',
        chain: 'POSTROUTING',
        args: ['--out-interface', 'tun0', '-s', '10.96.0.0/11', '-j', 'NETMAP', '--to', '241.0.0.0/8'],
      },
    ];
    assert.deepEqual(await firewall.apply(TAG, rules), { added: 0, deleted: 0 });
    assert.deepEqual(fake.restores, []);
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
    const rules = seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') }).filter(
      (r) => r.chain === 'PREROUTING',
    );
    assert.deepEqual(await firewall.apply(TAG, rules), { added: 0, deleted: 1 });
    assert.equal(
      fake
        .listing(4, 'nat')
        .split('\n')
        .filter((l) => l.startsWith('-A')).length,
      1,
    );
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
    assert.deepEqual(
      inputRules(4).map((l) => l.split(' ').pop()),
      ['ACCEPT', 'DROP'],
    );
  });

  it('never touches foreign rules or rules of another tag', async () => {
    fake.seed(
      4,
      'filter',
      '-A INPUT -i tun0 -p udp -m udp --dport 53 -j ACCEPT',
      `-A INPUT -i tun0 -m comment --comment "${OTHER_TAG}" -j DROP`,
    );
    fake.seed(6, 'filter', '-A INPUT -i tun0 -m comment --comment "somebody-else" -j DROP');
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0' }));
    await firewall.remove(TAG);
    assert.deepEqual(inputRules(4), [
      '-A INPUT -i tun0 -p udp -m udp --dport 53 -j ACCEPT',
      `-A INPUT -i tun0 -m comment --comment "${OTHER_TAG}" -j DROP`,
    ]);
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

  it('changes each touched table in one restore transaction, never flushing', async () => {
    await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') }));
    assert.deepEqual(
      fake.restores.map((r) => `${r.command} ${r.args.join(' ')} ${r.input.split('\n')[0]} ${r.input.split('\n').length - 3}`),
      [
        'iptables-legacy-restore --wait --noflush *filter 4',
        'iptables-legacy-restore --wait --noflush *nat 2',
        'ip6tables-legacy-restore --wait --noflush *filter 4',
      ],
    );
    assert.ok(fake.restores.every((r) => r.input.endsWith('\nCOMMIT\n')));
  });

  it('applies 1,000 networks in one transaction, and the nft backend without --wait', async () => {
    const nft = createFirewall(iptablesBackend('nft', fake.runner), silentLogger);
    assert.deepEqual(await nft.apply(SEED_SERVER_ROOT_TAG, THOUSAND_NETWORKS), { added: 1000, deleted: 0 });
    assert.deepEqual(
      fake.restores.map((r) => [r.command, ...r.args]),
      [['iptables-nft-restore', '--noflush']],
    );
    assert.equal(
      fake
        .listing(4, 'nat')
        .split('\n')
        .filter((line) => line.startsWith('-A OUTPUT')).length,
      1000,
    );
    assert.deepEqual(await nft.apply(SEED_SERVER_ROOT_TAG, THOUSAND_NETWORKS), { added: 0, deleted: 0 });
    assert.deepEqual(await nft.remove(SEED_SERVER_ROOT_TAG), { added: 0, deleted: 1000 });
    assert.equal(fake.restores.length, 2);
    assert.equal(fake.dump(), new FakeIptables().dump());
  });

  it('leaves the table as it was when one line of its transaction fails, naming that line', async () => {
    fake.seed(4, 'nat', '-A OUTPUT -d 192.0.2.0/24 -j RETURN');
    await firewall.apply(SEED_SERVER_ROOT_TAG, THOUSAND_NETWORKS.slice(0, 10));
    const before = fake.dump();
    fake.failWhen = (call) => call.includes('-d 10.1.244.0/24');
    await assert.rejects(firewall.apply(SEED_SERVER_ROOT_TAG, THOUSAND_NETWORKS), (err: Error) => {
      assert.match(err.message, /iptables-legacy-restore --wait --noflush: exit 1: iptables-restore: line 502 failed: injected failure/);
      assert.match(
        err.message,
        /\(at: -A OUTPUT -m owner --gid-owner 31415 -d 10\.1\.244\.0\/24 -m comment --comment vpn-seed-server:root -j NETMAP --to /,
      );
      return true;
    });
    assert.equal(fake.dump(), before);
  });

  it('keeps the tables changed before a failing one, says so, and completes the change on the next apply', async () => {
    const lines: string[] = [];
    const logged = createFirewall(
      iptablesBackend('legacy', fake.runner),
      createLogger({ style: 'iso', write: (line) => lines.push(line) }),
    );
    const rules = seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') });
    fake.failWhen = (call) => call.startsWith('6 filter');
    await assert.rejects(logged.apply(TAG, rules), /ip6tables-legacy-restore --wait --noflush: exit 1: .*injected failure/);
    assert.equal(inputRules(6).length, 0);
    assert.equal(inputRules(4).length, 2);
    assert.match(
      lines.join('\n'),
      /warn firewall rules changed only in part tag=vpn-seed-server:firewall:tun0 changed="IPv4 filter,IPv4 nat" failed="IPv6 filter"/,
    );
    fake.failWhen = () => false;
    assert.deepEqual(await logged.apply(TAG, rules), { added: 4, deleted: 0 });
    const complete = new FakeIptables();
    await createFirewall(iptablesBackend('legacy', complete.runner), silentLogger).apply(TAG, rules);
    assert.equal(fake.dump(), complete.dump());
  });

  it('restores rules whose arguments need quoting and finds them again', async () => {
    const logRule = input(4, '-i', 'tun0', '-j', 'LOG', '--log-prefix', 'shoot "said" \\ hi');
    await firewall.apply(TAG, [logRule]);
    assert.match(fake.restores[0].input, /--log-prefix "shoot \\"said\\" \\\\ hi"\n/);
    assert.deepEqual(inputRules(4), [
      '-A INPUT -i tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j LOG --log-prefix "shoot \\"said\\" \\\\ hi"',
    ]);
    assert.deepEqual(await firewall.apply(TAG, [logRule]), { added: 0, deleted: 0 });
  });

  it('treats a table the kernel lacks as holding none of its rules', async () => {
    fake.missingTables.add('6 nat');
    fake.missingTables.add('6 mangle');
    assert.deepEqual(await firewall.apply(TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') })), {
      added: 10,
      deleted: 0,
    });
    assert.deepEqual(await firewall.remove(TAG), { added: 0, deleted: 10 });
  });

  it('fails when a family cannot be listed, before changing anything', async () => {
    const denied: CommandRunner = async (file, args, stdin) =>
      file.endsWith('/ip6tables-legacy-save')
        ? { code: 1, stdout: '', stderr: 'ip6tables-save v1.8.9 (legacy): Cannot initialize: Permission denied (you must be root)\n' }
        : fake.runner(file, args, stdin);
    const unprivileged = createFirewall(iptablesBackend('legacy', denied), silentLogger);
    await assert.rejects(unprivileged.apply(TAG, [input(4, ...DROP)]), /ip6tables-legacy-save: exit 1: .*Permission denied/);
    assert.deepEqual(fake.restores, []);
  });

  it('refuses rules that bring their own comment', async () => {
    await assert.rejects(firewall.apply(TAG, [input(4, '-m', 'comment', '--comment', 'x', '-j', 'DROP')]), /adds the tag itself/);
    assert.deepEqual(fake.restores, []);
  });
});
