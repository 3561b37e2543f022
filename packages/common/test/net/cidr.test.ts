import { strict as assert } from 'node:assert';
import { Cidr } from '../../src/net/cidr';
import { Ip } from '../../src/net/ip';

describe('net: Ip and Cidr', () => {
  describe('Cidr.parse normalises like Go net.ParseCIDR and prints like IPNet.String()', () => {
    const cases: [string, string, 'IPv4' | 'IPv6'][] = [
      ['100.97.0.0/11', '100.96.0.0/11', 'IPv4'],
      ['10.1.0.1/30', '10.1.0.0/30', 'IPv4'],
      ['100.64.0.0/13', '100.64.0.0/13', 'IPv4'],
      ['0.0.0.0/0', '0.0.0.0/0', 'IPv4'],
      ['192.168.1.7/32', '192.168.1.7/32', 'IPv4'],
      ['1.2.3.4/008', '1.0.0.0/8', 'IPv4'],
      ['fd8f:6d53:b97a:1::/96', 'fd8f:6d53:b97a:1::/96', 'IPv6'],
      ['FD8F:6D53:B97A:0001:0000:0000:0000:0000/96', 'fd8f:6d53:b97a:1::/96', 'IPv6'],
      ['2001:db8::1/64', '2001:db8::/64', 'IPv6'],
      ['2001:db8:1::/108', '2001:db8:1::/108', 'IPv6'],
      ['1:2:3:4:5:6:7::/128', '1:2:3:4:5:6:7:0/128', 'IPv6'],
      ['1:0:0:1:0:0:0:1/128', '1:0:0:1::1/128', 'IPv6'],
      ['1:0:0:1:0:0:1:1/128', '1::1:0:0:1:1/128', 'IPv6'],
      ['::/0', '::/0', 'IPv6'],
      ['::1.2.3.4/128', '::102:304/128', 'IPv6'],
      ['::ffff:10.1.2.3/120', '10.1.2.0/24', 'IPv4'],
      ['::ffff:10.1.2.3/64', '::/64', 'IPv6'],
    ];
    for (const [text, printed, family] of cases) {
      it(`${text} -> ${printed}`, () => {
        const cidr = Cidr.parse(text);
        assert.equal(cidr.toString(), printed);
        assert.equal(cidr.family, family);
      });
    }
  });

  describe('Cidr.tryParse refuses what Go refuses', () => {
    const invalid = [
      '',
      '100.96.0.0',
      ' 100.97.0.0/11',
      '100.96.0.0/11 ',
      '100.96.0.0/11,100.64.0.0/13',
      '100.96.0.0/33',
      '100.96.0.0/',
      '100.96.0.0/-1',
      '100.96.0.0/+8',
      '010.96.0.0/11',
      '100.96.0/11',
      '0x64.96.0.0/11',
      '256.0.0.0/8',
      'fd00::/129',
      'fe80::1%eth0/64',
      '12345::/16',
      '1::2::3/64',
      '1:2:3:4:5:6:7:8:9/128',
      '::01.2.3.4/128',
      'banana/8',
    ];
    for (const text of invalid) {
      it(JSON.stringify(text), () => {
        assert.equal(Cidr.tryParse(text), undefined);
        assert.throws(() => Cidr.parse(text), { message: `invalid CIDR "${text}"` });
      });
    }
  });

  it('Ip.toString formats once and leaves equal addresses deeply equal', () => {
    const printed = Ip.parse('2001:db8:0:0::1');
    assert.equal(printed.toString(), '2001:db8::1');
    assert.equal(printed.toString(), '2001:db8::1');
    assert.deepStrictEqual(printed, Ip.parse('2001:db8::1'));
  });

  it('Ip.parse reads an IPv4-mapped address as IPv4 (Go To4) and refuses garbage', () => {
    assert.equal(Ip.parse('::ffff:10.96.3.7').toString(), '10.96.3.7');
    assert.equal(Ip.parse('::ffff:10.96.3.7').family, 'IPv4');
    assert.equal(Ip.parse('2001:DB8::1').toString(), '2001:db8::1');
    assert.throws(() => Ip.parse('10.96.3'), { message: 'invalid IP address "10.96.3"' });
    assert.equal(Ip.tryParse('10.96.3.7 '), undefined);
  });

  it('contains checks family and prefix', () => {
    const pods = Cidr.parse('100.96.0.0/11');
    assert.equal(pods.contains(Ip.parse('100.127.255.255')), true);
    assert.equal(pods.contains(Ip.parse('100.128.0.0')), false);
    assert.equal(pods.contains(Ip.parse('::6460:0')), false);
    assert.equal(Cidr.parse('::/0').contains(Ip.parse('10.0.0.1')), false);
  });

  describe('overlaps: a contains b or b contains a, by network address', () => {
    const cases: [string, string, boolean][] = [
      ['100.96.0.0/11', '100.96.0.0/11', true],
      ['10.0.0.0/8', '10.96.0.0/11', true],
      ['10.96.0.0/11', '10.0.0.0/8', true],
      ['10.96.0.0/11', '100.96.0.0/11', false],
      ['10.96.0.0/11', '10.128.0.0/11', false],
      ['fd00:10::/64', 'fd00::/16', true],
      ['10.0.0.0/8', 'a00::/8', false],
    ];
    for (const [a, b, expected] of cases) {
      it(`${a} vs ${b}: ${expected}`, () => {
        assert.equal(Cidr.parse(a).overlaps(Cidr.parse(b)), expected);
        assert.equal(Cidr.parse(b).overlaps(Cidr.parse(a)), expected);
      });
    }
  });

  it('dottedNetmask of IPv4 prefixes', () => {
    const cases: [string, string][] = [
      ['100.64.0.0/13', '255.248.0.0'],
      ['100.96.0.0/11', '255.224.0.0'],
      ['10.1.1.0/24', '255.255.255.0'],
      ['242.0.0.0/8', '255.0.0.0'],
      ['10.250.0.0/16', '255.255.0.0'],
      ['0.0.0.0/0', '0.0.0.0'],
      ['1.2.3.4/32', '255.255.255.255'],
    ];
    for (const [cidr, mask] of cases) assert.equal(Cidr.parse(cidr).dottedNetmask(), mask, cidr);
    assert.throws(() => Cidr.parse('fd00::/64').dottedNetmask(), /IPv6/);
  });

  it('equals and size', () => {
    assert.equal(Cidr.parse('100.97.0.0/11').equals(Cidr.parse('100.96.0.0/11')), true);
    assert.equal(Cidr.parse('100.96.0.0/11').equals(Cidr.parse('100.96.0.0/12')), false);
    assert.equal(Cidr.parse('100.96.0.0/11').size, 2n ** 21n);
    assert.equal(Cidr.parse('fd00::/64').size, 2n ** 64n);
  });
});
