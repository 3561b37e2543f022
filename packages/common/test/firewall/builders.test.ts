import { strict as assert } from 'node:assert';
import type { Rule } from '../../src/firewall/rule';
import {
  SEED_SERVER_ROOT_TAG,
  seedServerFirewallRules,
  seedServerFirewallTag,
  seedServerRootRules,
} from '../../src/firewall/seed-server-rules';
import { seedClientRules, seedClientTag, shootClientRules, shootClientTag } from '../../src/firewall/vpn-client-rules';
import { Cidr } from '../../src/net/cidr';
import { haServerSlice } from '../../src/net/ha-address-plan';
import { DEFAULT_VPN_NETWORK } from '../../src/net/reserved';
import { shootNetworksForNetmap } from '../../src/net/netmap';

/** Rules as `<family> <table> <chain> <args>` lines: easy to read and to compare. */
const show = (rules: readonly Rule[]): string[] => rules.map((r) => `${r.family} ${r.table} ${r.chain} ${r.args.join(' ')}`);
const cidrs = (...texts: string[]): Cidr[] => texts.map((t) => Cidr.parse(t));

const MAPPINGS = shootNetworksForNetmap(cidrs('100.96.0.0/11'), cidrs('100.64.0.0/13'), cidrs('10.250.0.0/16', 'fd00::/64'));

describe('firewall rule sets', () => {
  it('tags name program and rule set', () => {
    assert.equal(SEED_SERVER_ROOT_TAG, 'vpn-seed-server:root');
    assert.equal(seedServerFirewallTag('tun0'), 'vpn-seed-server:firewall:tun0');
    assert.equal(shootClientTag('tap+'), 'vpn-shoot-client:shoot-client:tap+');
    assert.equal(seedClientTag('tap1'), 'vpn-shoot-client:seed-client:tap1');
    assert.throws(() => seedServerFirewallTag('tun 0'), /invalid rule tag part "tun 0"/);
    assert.throws(() => seedServerFirewallTag('a"b'), /invalid rule tag part/);
  });

  it('seed server root: NETMAP of the envoy group per IPv4 shoot network', () => {
    assert.deepEqual(show(seedServerRootRules(MAPPINGS)), [
      '4 nat OUTPUT -m owner --gid-owner 31415 -d 100.96.0.0/11 -j NETMAP --to 244.0.0.0/11',
      '4 nat OUTPUT -m owner --gid-owner 31415 -d 100.64.0.0/13 -j NETMAP --to 243.0.0.0/13',
      '4 nat OUTPUT -m owner --gid-owner 31415 -d 10.250.0.0/16 -j NETMAP --to 242.0.0.0/16',
    ]);
    assert.deepEqual(seedServerRootRules([]), []);
  });

  const SERVER_FILTER = (dev: string): string[] => [
    `4 filter INPUT -i ${dev} -m state --state RELATED,ESTABLISHED -j ACCEPT`,
    `4 filter INPUT -i ${dev} -j DROP`,
    `6 filter INPUT -i ${dev} -m state --state RELATED,ESTABLISHED -j ACCEPT`,
    `6 filter INPUT -i ${dev} -j DROP`,
    `4 filter FORWARD -i ${dev} -m state --state RELATED,ESTABLISHED -j ACCEPT`,
    `4 filter FORWARD -i ${dev} -j DROP`,
    `6 filter FORWARD -i ${dev} -m state --state RELATED,ESTABLISHED -j ACCEPT`,
    `6 filter FORWARD -i ${dev} -j DROP`,
  ];

  it('seed server firewall, non-HA with an IPv4 seed pod network: replies only (INPUT and FORWARD) plus the 241/8 NETMAP pair', () => {
    assert.deepEqual(show(seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('10.96.0.0/11') })), [
      ...SERVER_FILTER('tun0'),
      '4 nat PREROUTING -i tun0 -d 241.0.0.0/8 -j NETMAP --to 10.96.0.0/11',
      '4 nat POSTROUTING -o tun0 -s 10.96.0.0/11 -j NETMAP --to 241.0.0.0/8',
    ]);
  });

  it('seed server firewall: no NETMAP for an IPv6 or missing seed pod network, nor on a tap device', () => {
    assert.deepEqual(show(seedServerFirewallRules({ device: 'tun0', seedPodNetwork: Cidr.parse('fd10::/48') })), SERVER_FILTER('tun0'));
    assert.deepEqual(show(seedServerFirewallRules({ device: 'tun0' })), SERVER_FILTER('tun0'));
    assert.deepEqual(show(seedServerFirewallRules({ device: 'tap0', seedPodNetwork: Cidr.parse('10.96.0.0/11') })), SERVER_FILTER('tap0'));
  });

  it('shoot client, IPv4 with NETMAP', () => {
    assert.deepEqual(
      show(shootClientRules({ forwardDevice: 'tun0', families: ['IPv4'], mappings: MAPPINGS.slice(0, 2), applyNetmap: true })),
      [
        '4 filter FORWARD -i tun0 -j ACCEPT',
        '4 nat PREROUTING -i tun0 -d 244.0.0.0/11 -j NETMAP --to 100.96.0.0/11',
        '4 nat PREROUTING -i tun0 -d 243.0.0.0/13 -j NETMAP --to 100.64.0.0/13',
        '4 nat POSTROUTING -o tun0 -s 100.96.0.0/11 -j NETMAP --to 244.0.0.0/11',
        '4 nat POSTROUTING -o tun0 -s 100.64.0.0/13 -j NETMAP --to 243.0.0.0/13',
        '4 mangle POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
        '4 nat POSTROUTING -o eth0 -j MASQUERADE',
      ],
    );
  });

  it('shoot client, dual-stack HA without overlap: no NETMAP, MSS clamp and MASQUERADE per family', () => {
    assert.deepEqual(
      show(shootClientRules({ forwardDevice: 'tap+', families: ['IPv6', 'IPv4'], mappings: MAPPINGS, applyNetmap: false })),
      [
        '4 filter FORWARD -i tap+ -j ACCEPT',
        '4 mangle POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
        '4 nat POSTROUTING -o eth0 -j MASQUERADE',
        '6 mangle POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
        '6 nat POSTROUTING -o eth0 -j MASQUERADE',
      ],
    );
  });

  it('shoot client, IPv6 only: no IPv4 rules at all', () => {
    assert.deepEqual(show(shootClientRules({ forwardDevice: 'tun0', families: ['IPv6'], mappings: [], applyNetmap: true })), [
      '6 mangle POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
      '6 nat POSTROUTING -o eth0 -j MASQUERADE',
    ]);
  });

  const SLICE_0 = haServerSlice(DEFAULT_VPN_NETWORK, 0);
  const SEED_CLIENT_FILTER = [
    '4 filter INPUT -i tap0 -m state --state RELATED,ESTABLISHED -j ACCEPT',
    '4 filter INPUT -i tap0 -j DROP',
    '6 filter INPUT -i tap0 -m state --state RELATED,ESTABLISHED -j ACCEPT',
    ...['fd8f:6d53:b97a:1::100:0/112', 'fe80::/10'].flatMap((source) =>
      ['135', '136'].map(
        (type) =>
          `6 filter INPUT -i tap0 -s ${source} -p ipv6-icmp --icmpv6-type ${type} -m hl --hl-eq 255 -m limit --limit 100/sec --limit-burst 200 -j ACCEPT`,
      ),
    ),
    '6 filter INPUT -i tap0 -j DROP',
    '4 filter FORWARD -i tap0 -m state --state RELATED,ESTABLISHED -j ACCEPT',
    '4 filter FORWARD -i tap0 -j DROP',
    '6 filter FORWARD -i tap0 -m state --state RELATED,ESTABLISHED -j ACCEPT',
    '6 filter FORWARD -i tap0 -j DROP',
  ];

  it("HA shoot client: UDP 5400 only through its tap from its server's seed-client pool; VPN_NETWORK sources only through the right tap", () => {
    const rules = shootClientRules({
      forwardDevice: 'tap1',
      families: ['IPv4'],
      mappings: [],
      applyNetmap: false,
      ha: { server: 1, vpnNetwork: DEFAULT_VPN_NETWORK },
    });
    assert.deepEqual(show(rules).slice(-5), [
      '4 filter INPUT -p udp -m udp --dport 5400 -j DROP',
      '6 filter INPUT ! -i tap+ -p udp -m udp --dport 5400 -j DROP',
      '6 filter INPUT -i tap1 -p udp -m udp --dport 5400 -m iprange ! --src-range fd8f:6d53:b97a:1::101:1000-fd8f:6d53:b97a:1::101:ffff -j DROP',
      '6 raw PREROUTING ! -i tap+ -s fd8f:6d53:b97a:1::/96 -j DROP',
      '6 raw PREROUTING -i tap1 -s fd8f:6d53:b97a:1::/96 -m iprange ! --src-range fd8f:6d53:b97a:1::101:0-fd8f:6d53:b97a:1::101:ffff -j DROP',
    ]);
  });

  it('seed client without overlap: replies and neighbour discovery only, in INPUT and FORWARD, both families', () => {
    assert.deepEqual(
      show(
        seedClientRules({
          device: 'tap0',
          mappings: MAPPINGS,
          seedPodNetwork: Cidr.parse('10.96.0.0/11'),
          applyNetmap: false,
          neighbourSlice: SLICE_0,
        }),
      ),
      SEED_CLIENT_FILTER,
    );
  });

  it('seed client with overlap: envoy NETMAP and the 241/8 pair on the tap device, then the filter rules', () => {
    assert.deepEqual(
      show(
        seedClientRules({
          device: 'tap0',
          mappings: MAPPINGS.slice(2),
          seedPodNetwork: Cidr.parse('10.0.0.0/8'),
          applyNetmap: true,
          neighbourSlice: SLICE_0,
        }),
      ),
      [
        '4 nat OUTPUT -m owner --gid-owner 31415 -d 10.250.0.0/16 -j NETMAP --to 242.0.0.0/16',
        '4 nat PREROUTING -i tap0 -d 241.0.0.0/8 -j NETMAP --to 10.0.0.0/8',
        '4 nat POSTROUTING -o tap0 -s 10.0.0.0/8 -j NETMAP --to 241.0.0.0/8',
        ...SEED_CLIENT_FILTER,
      ],
    );
  });
});
