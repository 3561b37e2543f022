import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { SysctlOutcome } from '../../src/system/sysctl';
import { requireRoot } from '../support/privileges';
import { TestNetns } from '../support/netns';
import { okValue, runFixture, type FixtureResult } from '../netlink/run-fixture';

function applySet(ns: TestNetns, set: string): SysctlOutcome[] {
  return okValue(runFixture<FixtureResult<SysctlOutcome[]>>(ns, 'system/fixtures/system-calls.js', { call: 'applySysctls', set }));
}

const normalized = (value: string): string => value.trim().split(/\s+/).join(' ');
const sysctlPath = (name: string): string => `/proc/sys/${name.split('.').join('/')}`;

describe('[root] sysctls in a network namespace', function () {
  let ns: TestNetns;

  before(function () {
    requireRoot(this);
  });

  beforeEach(() => {
    ns = TestNetns.create('sysctl');
  });

  afterEach(() => ns?.destroy());

  /** Every parameter reads back as set; a skipped one must really be absent in the namespace. */
  function assertApplied(outcomes: SysctlOutcome[]): void {
    for (const o of outcomes) {
      if (o.result === 'skipped') {
        assert.notEqual(ns.exec('test', ['-e', sysctlPath(o.name)]).status, 0, `${o.name} was skipped although it exists`);
      } else {
        assert.equal(normalized(ns.sh(`sysctl -n ${o.name}`)), normalized(o.value), o.name);
      }
    }
  }

  it('applies the shoot client set in order and leaves disable_ipv6 and the host alone', () => {
    const hostPortRange = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    ns.sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=1');
    const outcomes = applySet(ns, 'shoot-client');
    assert.deepEqual(
      outcomes.map((o) => o.name),
      [
        'net.ipv4.ip_local_port_range',
        'net.ipv4.tcp_tw_reuse',
        'net.ipv4.tcp_fin_timeout',
        'net.netfilter.nf_conntrack_tcp_timeout_established',
        'net.netfilter.nf_conntrack_tcp_timeout_syn_sent',
        'net.netfilter.nf_conntrack_tcp_timeout_syn_recv',
        'net.netfilter.nf_conntrack_tcp_timeout_fin_wait',
        'net.netfilter.nf_conntrack_tcp_timeout_time_wait',
        'net.netfilter.nf_conntrack_tcp_timeout_close_wait',
        'net.netfilter.nf_conntrack_tcp_timeout_unacknowledged',
        'net.netfilter.nf_conntrack_tcp_timeout_max_retrans',
        'net.ipv4.ip_forward',
        'net.ipv6.conf.all.forwarding',
      ],
    );
    assertApplied(outcomes);
    assert.equal(ns.sh('sysctl -n net.ipv4.ip_local_port_range').trim(), '1024\t65535');
    assert.equal(ns.sh('sysctl -n net.ipv6.conf.all.disable_ipv6').trim(), '1');
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'), hostPortRange);
  });

  it('applies the client common set (tab-separated TCP buffers)', () => {
    assertApplied(applySet(ns, 'client-common'));
    assert.equal(ns.sh('sysctl -n net.ipv4.tcp_rmem').trim(), '65536\t12582912\t16777216');
  });

  it('re-enables IPv6 for a seed client only when it was disabled', () => {
    assert.equal(applySet(ns, 'seed-client')[0]?.result, 'skipped');
    ns.sh('sysctl -qw net.ipv6.conf.all.disable_ipv6=1');
    assert.equal(applySet(ns, 'seed-client')[0]?.result, 'set');
    assert.equal(ns.sh('sysctl -n net.ipv6.conf.all.disable_ipv6').trim(), '0');
  });

  it('turns duplicate address detection off for devices created afterwards (HA taps)', () => {
    assertApplied(applySet(ns, 'ha-client'));
    ns.sh('ip link add va type veth peer name vb && ip link set va up && ip link set vb up && ip -6 addr add fd00::1/64 dev va');
    assert.doesNotMatch(ns.sh('ip -6 addr show dev va'), /tentative/);
  });
});
