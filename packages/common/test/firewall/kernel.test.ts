import { strict as assert } from 'node:assert';
import { detectBackend, iptablesBackend, type BackendName } from '../../src/firewall/backend';
import { createFirewall, type Firewall } from '../../src/firewall/engine';
import type { Rule, RuleTag } from '../../src/firewall/rule';
import {
  SEED_SERVER_ROOT_TAG,
  seedServerFirewallRules,
  seedServerFirewallTag,
  seedServerRootRules,
} from '../../src/firewall/seed-server-rules';
import { seedClientRules, seedClientTag, shootClientRules, shootClientTag } from '../../src/firewall/vpn-client-rules';
import { silentLogger } from '../../src/log';
import { Cidr } from '../../src/net/cidr';
import { haServerSlice } from '../../src/net/ha-address-plan';
import { DEFAULT_VPN_NETWORK } from '../../src/net/reserved';
import { shootNetworksForNetmap as netmapOf } from '../../src/net/netmap';
import { TestNetns } from '../support/netns';
import { requireRoot } from '../support/privileges';
import { iptablesIn, netnsRunner, saveAll } from './netns-iptables';

const MAPPINGS = netmapOf(
  [Cidr.parse('100.96.0.0/11')],
  [Cidr.parse('100.64.0.0/13')],
  [Cidr.parse('10.250.0.0/16'), Cidr.parse('10.251.0.0/24')],
);
const FIREWALL_TAG = seedServerFirewallTag('tun0');
/** The root command's envoy NETMAP rules for 1,000 shoot node networks. */
const THOUSAND_NETWORKS = seedServerRootRules(
  netmapOf(
    [],
    [],
    Array.from({ length: 1000 }, (_, i) => Cidr.parse(`10.${i >> 8}.${i & 255}.0/24`)),
  ),
);

/** Every rule set we build, each under its own tag: together they touch every table and both families. */
function allRuleSets(seedPodNetwork: string): [RuleTag, Rule[]][] {
  const seedPod = Cidr.parse(seedPodNetwork);
  return [
    [SEED_SERVER_ROOT_TAG, seedServerRootRules(MAPPINGS)],
    [FIREWALL_TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: seedPod })],
    [
      shootClientTag('tun0'),
      shootClientRules({ forwardDevice: 'tun0', families: ['IPv4', 'IPv6'], mappings: MAPPINGS, applyNetmap: true }),
    ],
    [
      shootClientTag('tap1'),
      shootClientRules({
        forwardDevice: 'tap1',
        families: ['IPv4', 'IPv6'],
        mappings: MAPPINGS,
        applyNetmap: true,
        ha: { server: 1, vpnNetwork: DEFAULT_VPN_NETWORK },
      }),
    ],
    [
      seedClientTag('tap0'),
      seedClientRules({
        device: 'tap0',
        mappings: MAPPINGS,
        seedPodNetwork: seedPod,
        applyNetmap: true,
        neighbourSlice: haServerSlice(DEFAULT_VPN_NETWORK, 0),
      }),
    ],
  ];
}

/**
 * Rules of somebody else, in every chain our rule sets use: one exactly like one of ours but without
 * the tag, some with tags that merely start or end like ours, and a user-defined chain. They also make
 * every chain exist beforehand (iptables-nft creates chains on demand).
 */
function addForeignRules(ns: TestNetns, backend: BackendName): void {
  for (const family of [4, 6] as const) {
    const documentation = family === 4 ? '192.0.2.0/24' : '2001:db8::/32';
    iptablesIn(ns, backend, family, '-A INPUT -i lo -j ACCEPT');
    iptablesIn(ns, backend, family, '-A INPUT -i tun0 -j DROP');
    iptablesIn(ns, backend, family, `-A INPUT -i tun0 -m comment --comment ${FIREWALL_TAG}:x -j DROP`);
    iptablesIn(ns, backend, family, `-t nat -A OUTPUT -m comment --comment ${SEED_SERVER_ROOT_TAG.slice(0, -1)} -j RETURN`);
    iptablesIn(ns, backend, family, '-N FOREIGN');
    iptablesIn(ns, backend, family, '-A FOREIGN -i eth9 -j RETURN');
    iptablesIn(ns, backend, family, '-A INPUT -j FOREIGN');
    iptablesIn(ns, backend, family, '-A FORWARD -i eth9 -j ACCEPT');
    for (const chain of ['PREROUTING', 'POSTROUTING', 'OUTPUT'])
      iptablesIn(ns, backend, family, `-t nat -A ${chain} -s ${documentation} -j RETURN`);
    iptablesIn(ns, backend, family, '-t mangle -A POSTROUTING -o eth9 -j RETURN');
    iptablesIn(ns, backend, family, `-t raw -A PREROUTING -s ${documentation} -j RETURN`);
  }
}

async function applyAll(firewall: Firewall, seedPodNetwork: string): Promise<{ added: number; deleted: number }[]> {
  const results = [];
  for (const [tag, rules] of allRuleSets(seedPodNetwork)) results.push(await firewall.apply(tag, rules));
  return results;
}

describe('firewall against the kernel [root]', function () {
  this.timeout(30_000);
  let ns: TestNetns | undefined;

  before(function () {
    requireRoot(this);
  });

  afterEach(() => {
    ns?.destroy();
    ns = undefined;
  });

  it('detects legacy first with the real binaries, both families usable in a namespace', async () => {
    ns = TestNetns.create('fwdet');
    const backend = await detectBackend({ log: silentLogger, runner: netnsRunner(ns) });
    assert.equal(backend.name, 'legacy');
  });

  for (const backend of ['legacy', 'nft'] as const) {
    describe(`${backend} backend`, () => {
      beforeEach(() => {
        ns = TestNetns.create(`fw${backend}`);
        addForeignRules(ns, backend);
      });

      it('applies idempotently, replaces a stale rule and removes exactly what it added', async () => {
        const netns = ns!;
        const firewall = createFirewall(iptablesBackend(backend, netnsRunner(netns)), silentLogger);
        const original = saveAll(netns, backend);

        await applyAll(firewall, '10.96.0.0/11');
        const applied = saveAll(netns, backend);
        assert.match(
          applied,
          /-A PREROUTING -d 241\.0\.0\.0\/8 -i tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j NETMAP --to 10\.96\.0\.0\/11/,
        );
        assert.match(
          applied,
          /-A INPUT -s fe80::\/10 -i tap0 -p ipv6-icmp -m icmp6 --icmpv6-type 136 -m hl --hl-eq 255 -m limit --limit 100\/sec --limit-burst 200 -m comment --comment "vpn-shoot-client:seed-client:tap0" -j ACCEPT/,
        );
        assert.doesNotMatch(applied, /--icmpv6-type 13[347]/);
        assert.match(
          applied,
          /-A PREROUTING -i tap1 -s fd8f:6d53:b97a:1::\/96 -m iprange ! --src-range fd8f:6d53:b97a:1::101:0-fd8f:6d53:b97a:1::101:ffff -m comment --comment "vpn-shoot-client:shoot-client:tap1" -j DROP|-A PREROUTING -s fd8f:6d53:b97a:1::\/96 -i tap1 -m iprange ! --src-range fd8f:6d53:b97a:1::101:0-fd8f:6d53:b97a:1::101:ffff -m comment --comment "vpn-shoot-client:shoot-client:tap1" -j DROP/,
        );

        assert.deepEqual(
          await applyAll(firewall, '10.96.0.0/11'),
          allRuleSets('10.96.0.0/11').map(() => ({ added: 0, deleted: 0 })),
        );
        assert.equal(saveAll(netns, backend), applied);

        assert.deepEqual(
          await firewall.apply(FIREWALL_TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('100.112.0.0/12') })),
          { added: 2, deleted: 2 },
        );
        const changed = saveAll(netns, backend);
        assert.doesNotMatch(changed, /-s 10\.96\.0\.0\/11 -o tun0|"vpn-seed-server:firewall:tun0" -j NETMAP --to 10\.96\.0\.0\/11/);
        assert.match(
          changed,
          /-A POSTROUTING -s 100\.112\.0\.0\/12 -o tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j NETMAP --to 241\.0\.0\.0\/8/,
        );

        for (const [tag] of allRuleSets('10.96.0.0/11')) await firewall.remove(tag);
        assert.equal(saveAll(netns, backend), original);
      });

      it('applies 1,000 networks in one transaction and removes exactly them, leaving other tags and tables alone', async () => {
        const netns = ns!;
        const firewall = createFirewall(iptablesBackend(backend, netnsRunner(netns)), silentLogger);
        await firewall.apply(FIREWALL_TAG, seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') }));
        const withoutRoot = saveAll(netns, backend);

        assert.deepEqual(await firewall.apply(SEED_SERVER_ROOT_TAG, THOUSAND_NETWORKS), { added: 1000, deleted: 0 });
        const applied = saveAll(netns, backend);
        const ours = applied.split('\n').filter((line) => line.includes(`--comment "${SEED_SERVER_ROOT_TAG}" `));
        assert.equal(ours.length, 1000);
        assert.ok(ours.every((line) => line.startsWith('-A OUTPUT -d 10.')));
        assert.equal(
          applied
            .split('\n')
            .filter((line) => !ours.includes(line))
            .join('\n'),
          withoutRoot,
        );

        assert.deepEqual(await firewall.apply(SEED_SERVER_ROOT_TAG, THOUSAND_NETWORKS), { added: 0, deleted: 0 });
        assert.equal(saveAll(netns, backend), applied);

        assert.deepEqual(await firewall.remove(SEED_SERVER_ROOT_TAG), { added: 0, deleted: 1000 });
        assert.equal(saveAll(netns, backend), withoutRoot);
      });

      for (const [kind, invalid] of [
        ['iptables-restore rejects', ['-d', '192.0.2.0/24', '-j', 'NETMAP', '--no-such-option', '1']],
        ['the kernel rejects (DNAT after routing)', ['-j', 'DNAT', '--to-destination', '192.0.2.1']],
      ] as const) {
        it(`leaves every table byte-identical when ${kind} one rule among 1,000`, async () => {
          const netns = ns!;
          const firewall = createFirewall(iptablesBackend(backend, netnsRunner(netns)), silentLogger);
          await applyAll(firewall, '10.96.0.0/11');
          await firewall.apply(SEED_SERVER_ROOT_TAG, THOUSAND_NETWORKS.slice(0, 10));
          const before = saveAll(netns, backend);
          const rules: Rule[] = [
            ...THOUSAND_NETWORKS.slice(0, 500),
            { family: 4, table: 'nat', chain: 'POSTROUTING', args: invalid },
            ...THOUSAND_NETWORKS.slice(500),
          ];
          await assert.rejects(firewall.apply(SEED_SERVER_ROOT_TAG, rules), new RegExp(`iptables-${backend}-restore .*exit \\d+: `));
          assert.equal(saveAll(netns, backend), before);
        });
      }

      it('adds to a user-defined chain without flushing it, and takes only its own rules out again', async () => {
        const netns = ns!;
        const firewall = createFirewall(iptablesBackend(backend, netnsRunner(netns)), silentLogger);
        const before = saveAll(netns, backend);
        const rules: Rule[] = ([4, 6] as const).map((family) => ({
          family,
          table: 'filter',
          chain: 'FOREIGN',
          args: ['-i', 'tun0', '-j', 'DROP'],
        }));
        assert.deepEqual(await firewall.apply(FIREWALL_TAG, rules), { added: 2, deleted: 0 });
        assert.match(
          iptablesIn(netns, backend, 6, '-S FOREIGN'),
          /-A FOREIGN -i eth9 -j RETURN\n-A FOREIGN -i tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j DROP\n/,
        );
        await firewall.remove(FIREWALL_TAG);
        assert.equal(saveAll(netns, backend), before);
      });

      it('restores the order of its rules in one transaction, -D taking the old copies of the rules it re-appends', async () => {
        const netns = ns!;
        const drop = `-A FORWARD -i tun0 -m comment --comment ${FIREWALL_TAG} -j DROP`;
        const accept = `-A FORWARD -i tun0 -m state --state RELATED,ESTABLISHED -m comment --comment ${FIREWALL_TAG} -j ACCEPT`;
        for (const line of [accept, drop, accept, '-A FORWARD -o eth9 -j ACCEPT']) iptablesIn(netns, backend, 4, line);
        const firewall = createFirewall(iptablesBackend(backend, netnsRunner(netns)), silentLogger);
        const rules = seedServerFirewallRules({ device: 'tun0' }).filter((rule) => rule.family === 4 && rule.chain === 'FORWARD');
        assert.deepEqual(await firewall.apply(FIREWALL_TAG, rules), { added: 2, deleted: 3 });
        assert.deepEqual(
          iptablesIn(netns, backend, 4, '-S FORWARD')
            .split('\n')
            .filter((line) => line.startsWith('-A')),
          [
            '-A FORWARD -i eth9 -j ACCEPT',
            '-A FORWARD -o eth9 -j ACCEPT',
            '-A FORWARD -i tun0 -m state --state RELATED,ESTABLISHED -m comment --comment "vpn-seed-server:firewall:tun0" -j ACCEPT',
            '-A FORWARD -i tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j DROP',
          ],
        );
      });

      it('fails on a chain that does not exist, changing nothing', async () => {
        const netns = ns!;
        const before = saveAll(netns, backend);
        const firewall = createFirewall(iptablesBackend(backend, netnsRunner(netns)), silentLogger);
        await assert.rejects(
          firewall.apply(FIREWALL_TAG, [
            { family: 4, table: 'filter', chain: 'INPUT', args: ['-j', 'ACCEPT'] },
            { family: 4, table: 'filter', chain: 'MISSING', args: ['-j', 'DROP'] },
          ]),
          /line 3/,
        );
        assert.equal(saveAll(netns, backend), before);
      });

      it('hands iptables-restore arguments that need quoting and recognises the rule it made', async () => {
        const netns = ns!;
        const before = saveAll(netns, backend);
        const firewall = createFirewall(iptablesBackend(backend, netnsRunner(netns)), silentLogger);
        const rules: Rule[] = [
          { family: 6, table: 'filter', chain: 'INPUT', args: ['-i', 'tun0', '-j', 'LOG', '--log-prefix', `it's "x" \\ y`] },
        ];
        await firewall.apply(FIREWALL_TAG, rules);
        assert.match(iptablesIn(netns, backend, 6, '-S INPUT'), /--log-prefix "it\\'s \\"x\\" \\\\ y"/);
        assert.deepEqual(await firewall.apply(FIREWALL_TAG, rules), { added: 0, deleted: 0 });
        assert.deepEqual(await firewall.remove(FIREWALL_TAG), { added: 0, deleted: 1 });
        assert.equal(saveAll(netns, backend), before);
      });
    });
  }
});
