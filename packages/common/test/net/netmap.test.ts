import { strict as assert } from 'node:assert';
import { Cidr } from '../../src/net/cidr';
import { Ip } from '../../src/net/ip';
import { netmapIp, netmapSubnets, shootNetworksForNetmap, ShootNetmapError } from '../../src/net/netmap';
import { RESERVED_RANGES } from '../../src/net/reserved';

const cidrs = (...texts: string[]): Cidr[] => texts.map((t) => Cidr.parse(t));
const mapping = (entries: { source: Cidr; mapped: Cidr }[]): string[] =>
  entries.map((e) => `${e.source.toString()}->${e.mapped.toString()}`);

describe('net: netmap', () => {
  it('reserved ranges', () => {
    assert.equal(RESERVED_RANGES.seedPods.toString(), '241.0.0.0/8');
    assert.equal(RESERVED_RANGES.shootNodes.toString(), '242.0.0.0/8');
    assert.equal(RESERVED_RANGES.shootServices.toString(), '243.0.0.0/8');
    assert.equal(RESERVED_RANGES.shootPods.toString(), '244.0.0.0/8');
  });

  describe('netmapIp keeps the host bits and replaces the prefix bits', () => {
    const cases: [string, string, string][] = [
      ['192.168.1.100', '10.0.0.0/8', '10.168.1.100'],
      ['172.16.5.10', '192.168.0.0/16', '192.168.5.10'],
      ['10.0.1.5', '172.16.5.0/24', '172.16.5.5'],
      ['10.96.3.7', '241.0.0.0/8', '241.96.3.7'],
    ];
    for (const [ip, subnet, expected] of cases) {
      it(`${ip} into ${subnet} -> ${expected}`, () => {
        assert.equal(netmapIp(Ip.parse(ip), Cidr.parse(subnet)).toString(), expected);
      });
    }
    it('refuses IPv6', () => {
      assert.throws(() => netmapIp(Ip.parse('fd00::1'), RESERVED_RANGES.seedPods), /only IPv4 is supported: fd00::1/);
      assert.throws(() => netmapIp(Ip.parse('10.0.0.1'), Cidr.parse('fd00::/8')), /only IPv4 is supported/);
    });
  });

  describe('netmapSubnets: stable ascending-prefix bump allocation', () => {
    const cases: { name: string; sources: string[]; dst: string; expected: string[] }[] = [
      {
        name: 'reference worked example: node networks of mixed sizes',
        sources: ['10.219.45.0/26', '10.219.45.64/26', '10.96.0.0/11', '10.128.0.0/12'],
        dst: '242.0.0.0/8',
        expected: [
          '10.219.45.0/26->242.48.0.0/26',
          '10.219.45.64/26->242.48.0.64/26',
          '10.96.0.0/11->242.0.0.0/11',
          '10.128.0.0/12->242.32.0.0/12',
        ],
      },
      {
        name: 'reference worked example: /16, /16, /24, /28',
        sources: ['10.1.0.0/16', '10.2.0.0/16', '10.3.1.0/24', '10.4.2.240/28'],
        dst: '242.0.0.0/8',
        expected: ['10.1.0.0/16->242.0.0.0/16', '10.2.0.0/16->242.1.0.0/16', '10.3.1.0/24->242.2.0.0/24', '10.4.2.240/28->242.2.1.0/28'],
      },
      {
        name: 'equal prefixes keep their input order',
        sources: ['10.9.0.0/16', '10.1.0.0/16', '10.5.0.0/16'],
        dst: '244.0.0.0/8',
        expected: ['10.9.0.0/16->244.0.0.0/16', '10.1.0.0/16->244.1.0.0/16', '10.5.0.0/16->244.2.0.0/16'],
      },
      {
        name: 'netmapSubnet example: a /24 into a /24',
        sources: ['10.1.2.0/24'],
        dst: '242.1.2.0/24',
        expected: ['10.1.2.0/24->242.1.2.0/24'],
      },
      { name: 'a /32 into a /8', sources: ['192.168.1.7/32'], dst: '242.0.0.0/8', expected: ['192.168.1.7/32->242.0.0.0/32'] },
      { name: 'a /8 fills a /8', sources: ['10.0.0.0/8'], dst: '243.0.0.0/8', expected: ['10.0.0.0/8->243.0.0.0/8'] },
      {
        name: 'duplicates each take a block',
        sources: ['10.0.0.0/16', '10.0.0.0/16'],
        dst: '242.0.0.0/8',
        expected: ['10.0.0.0/16->242.0.0.0/16', '10.0.0.0/16->242.1.0.0/16'],
      },
      { name: 'nothing to map', sources: [], dst: '242.0.0.0/8', expected: [] },
    ];
    for (const { name, sources, dst, expected } of cases) {
      it(name, () => assert.deepEqual(mapping(netmapSubnets(cidrs(...sources), Cidr.parse(dst))), expected));
    }

    it('maps 1,000 /24 networks one after another', () => {
      const sources = Array.from({ length: 1000 }, (_, i) => Cidr.parse(`10.${i >> 8}.${i & 255}.0/24`));
      const entries = netmapSubnets(sources, RESERVED_RANGES.shootNodes);
      assert.equal(entries.length, 1000);
      assert.equal(entries[999]?.mapped.toString(), '242.3.231.0/24');
    });

    it('fails when the sources do not fit', () => {
      assert.throws(() => netmapSubnets(cidrs('10.0.0.0/9', '11.0.0.0/9', '12.0.0.0/24'), RESERVED_RANGES.shootPods), {
        message: 'not enough space in 244.0.0.0/8 to fit all source subnets: [10.0.0.0/9 11.0.0.0/9 12.0.0.0/24]',
      });
      const sixteens = Array.from({ length: 257 }, (_, i) => Cidr.parse(`${10 + (i >> 8)}.${i & 255}.0.0/16`));
      assert.throws(() => netmapSubnets(sixteens, RESERVED_RANGES.shootPods), /not enough space in 244.0.0.0\/8/);
    });

    it('fails for a source larger than the destination', () => {
      assert.throws(
        () => netmapSubnets(cidrs('10.0.0.0/7'), RESERVED_RANGES.shootNodes),
        /10.0.0.0\/7 is larger than destination 242.0.0.0\/8/,
      );
    });

    it('fails for IPv6 sources and destinations', () => {
      assert.throws(() => netmapSubnets(cidrs('fd00::/64'), RESERVED_RANGES.shootNodes), { message: 'only IPv4 is supported: fd00::/64' });
      assert.throws(() => netmapSubnets(cidrs('10.0.0.0/8'), Cidr.parse('fd00::/8')), { message: 'only IPv4 is supported: fd00::/8' });
    });
  });

  describe('shootNetworksForNetmap', () => {
    it('maps single networks to the base of their range', () => {
      const entries = shootNetworksForNetmap(cidrs('10.10.0.0/16'), cidrs('10.20.0.0/16'), cidrs('10.30.0.0/24'));
      assert.deepEqual(mapping(entries), ['10.10.0.0/16->244.0.0.0/16', '10.20.0.0/16->243.0.0.0/16', '10.30.0.0/24->242.0.0.0/24']);
    });

    it('skips IPv6 networks; each kind starts at its range base', () => {
      const entries = shootNetworksForNetmap(
        cidrs('2001:db8:2::/64', '100.96.0.0/11', '100.128.0.0/11'),
        cidrs('2001:db8:1::/108', '100.64.0.0/13'),
        cidrs('10.250.0.0/16'),
      );
      assert.deepEqual(mapping(entries), [
        '100.96.0.0/11->244.0.0.0/11',
        '100.128.0.0/11->244.32.0.0/11',
        '100.64.0.0/13->243.0.0.0/13',
        '10.250.0.0/16->242.0.0.0/16',
      ]);
    });

    it('names the kind that does not fit', () => {
      assert.throws(
        () => shootNetworksForNetmap([], cidrs('10.0.0.0/7'), []),
        (err: unknown) =>
          err instanceof ShootNetmapError &&
          err.kind === 'service' &&
          err.message.startsWith('failed to map shoot service networks into 243.0.0.0/8: '),
      );
    });
  });
});
