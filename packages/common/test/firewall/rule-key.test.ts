import { strict as assert } from 'node:assert';
import { parseRuleListing, splitSavedLine } from '../../src/firewall/listing';
import { ruleKey } from '../../src/firewall/rule-key';

/** What we give iptables, and what `iptables -S` prints back (captured from iptables 1.8.9, legacy and nft). */
const PRINTED_FORMS: [given: string, printed: string][] = [
  ['--in-interface tun0 -d 241.1.2.3/8 -j NETMAP --to 10.96.1.0/11', '-d 241.0.0.0/8 -i tun0 -j NETMAP --to 10.96.0.0/11'],
  ['-i tun0 -d 241.1.2.3 -j NETMAP --to 10.96.1.0', '-d 241.1.2.3/32 -i tun0 -j NETMAP --to 10.96.1.0/32'],
  ['-m state --state ESTABLISHED,RELATED -i tun0 -j ACCEPT', '-i tun0 -m state --state RELATED,ESTABLISHED -j ACCEPT'],
  ['-p TCP --tcp-flags RST,SYN SYN -j TCPMSS --clamp-mss-to-pmtu', '-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu'],
  ['! --in-interface tun0 -p udp --dport 5400 -j ACCEPT', '! -i tun0 -p udp -m udp --dport 5400 -j ACCEPT'],
  ['-i tun0 -p icmpv6 --icmpv6-type 135 -j ACCEPT', '-i tun0 -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT'],
  ['-i tun0 -d FD00:0:0:0::1/64 -j ACCEPT', '-d fd00::/64 -i tun0 -j ACCEPT'],
  ['-m owner --gid-owner 31415 -d 10.250.0.0/16 -j NETMAP --to 242.0.0.0/16', '-d 10.250.0.0/16 -m owner --gid-owner 31415 -j NETMAP --to 242.0.0.0/16'],
];

describe('firewall rule key', () => {
  for (const [given, printed] of PRINTED_FORMS) {
    it(`${given} = ${printed}`, () => {
      assert.equal(ruleKey(given.split(' ')), ruleKey(printed.split(' ')));
    });
  }

  it('tells rules apart that differ in an address, an interface, a negation or the target', () => {
    const base = '-i tun0 -d 241.0.0.0/8 -j NETMAP --to 10.96.0.0/11';
    for (const other of [
      '-i tun0 -d 241.0.0.0/8 -j NETMAP --to 10.64.0.0/11',
      '-i tun1 -d 241.0.0.0/8 -j NETMAP --to 10.96.0.0/11',
      '! -i tun0 -d 241.0.0.0/8 -j NETMAP --to 10.96.0.0/11',
      '-i tun0 -d 241.0.0.0/16 -j NETMAP --to 10.96.0.0/11',
    ]) {
      assert.notEqual(ruleKey(other.split(' ')), ruleKey(base.split(' ')), other);
    }
    assert.notEqual(ruleKey(['-i', 'tun0', '-j', 'DROP']), ruleKey(['-i', 'tun0', '-j', 'ACCEPT']));
  });
});

describe('firewall rule listing', () => {
  it('splits saved lines, unquoting and unescaping strings', () => {
    assert.deepEqual(splitSavedLine('-A INPUT -m comment --comment "a \\"b\\" \\\\c" -j DROP'), [
      '-A', 'INPUT', '-m', 'comment', '--comment', 'a "b" \\c', '-j', 'DROP',
    ]);
    assert.deepEqual(splitSavedLine('  -A  X  "" y'), ['-A', 'X', '', 'y']);
  });

  it('parses -A lines with chain, rule number, spec, comment and the rule without comment', () => {
    const rules = parseRuleListing(
      [
        '-P INPUT ACCEPT',
        '-N CUSTOM',
        '-A INPUT -i lo -j ACCEPT',
        '-A FORWARD -i tun0 -m comment --comment "vpn-seed-server:firewall:tun0" -j DROP',
        '-A INPUT -i tun0 -m state --state RELATED,ESTABLISHED -m comment --comment "vpn-seed-server:firewall:tun0" -j ACCEPT',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      rules.map((r) => [r.chain, r.position, r.comment, r.matchArgs.join(' ')]),
      [
        ['INPUT', 1, undefined, '-i lo -j ACCEPT'],
        ['FORWARD', 1, 'vpn-seed-server:firewall:tun0', '-i tun0 -j DROP'],
        ['INPUT', 2, 'vpn-seed-server:firewall:tun0', '-i tun0 -m state --state RELATED,ESTABLISHED -j ACCEPT'],
      ],
    );
    assert.deepEqual(rules[1]!.spec, ['-i', 'tun0', '-m', 'comment', '--comment', 'vpn-seed-server:firewall:tun0', '-j', 'DROP']);
  });
});
