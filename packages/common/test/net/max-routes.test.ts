import { strict as assert } from 'node:assert';
import { Cidr } from '../../src/net/cidr';
import { maxRoutesPerClient } from '../../src/net/max-routes';

describe('net: maxRoutesPerClient', () => {
  const cases: { name: string; networks: string[]; expected: number }[] = [
    {
      name: 'S1: the /11 alone has 2,097,150 hosts -> clamped to 2^20',
      networks: ['100.64.0.0/13', '100.96.0.0/11', '10.250.0.0/16'],
      expected: 1048576,
    },
    { name: 'nothing -> 256', networks: [], expected: 256 },
    { name: 'a /24 (254 hosts) -> 256', networks: ['10.0.0.0/24'], expected: 256 },
    { name: 'a /23 (510 hosts)', networks: ['10.0.0.0/23'], expected: 510 },
    {
      name: '/30, /31, /32 count 2, 2, 1',
      networks: ['10.0.0.0/22', '10.1.0.0/30', '10.2.0.0/31', '10.3.0.1/32'],
      expected: 1022 + 2 + 2 + 1,
    },
    { name: 'IPv6 /120 counts 256 without subtraction', networks: ['fd00::/120', '10.0.0.0/24'], expected: 256 + 254 },
    { name: 'IPv6 /64 (beyond uint64 sums) -> 2^20', networks: ['2001:db8:2::/64', '2001:db8:3::/64', '::/0'], expected: 1048576 },
    { name: 'exactly 2^20', networks: ['fd00::/108'], expected: 1048576 },
  ];
  for (const { name, networks, expected } of cases) {
    it(name, () => assert.equal(maxRoutesPerClient(networks.map((n) => Cidr.parse(n))), expected));
  }
});
