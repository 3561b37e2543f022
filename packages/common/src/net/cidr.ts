import type { IpFamily } from './family';
import { Ip } from './ip';

/** `::ffff:0.0.0.0` */
const IPV4_MAPPED_BASE = 0xffffn << 32n;

/**
 * A network as Go's `net.ParseCIDR` returns it: host bits zeroed (`100.97.0.0/11` is `100.96.0.0/11`),
 * printed like Go's `IPNet.String()`.
 */
export class Cidr {
  private constructor(
    /** The network address (host bits zero). */
    readonly network: Ip,
    readonly prefixLength: number,
  ) {}

  static parse(text: string): Cidr {
    const cidr = Cidr.tryParse(text);
    if (cidr === undefined) throw new Error(`invalid CIDR "${text}"`);
    return cidr;
  }

  /** Go accepts any decimal prefix length up to the address size, leading zeros included. */
  static tryParse(text: string): Cidr | undefined {
    const match = /^([^/]*)\/(\d+)$/.exec(text);
    if (match === null) return undefined;
    const [, addressText = '', prefixText = ''] = match;
    const prefixLength = Number(prefixText);
    const ip = Ip.tryParse(addressText);
    if (ip === undefined) return undefined;
    if (!addressText.includes(':')) return prefixLength <= 32 ? Cidr.of(ip, prefixLength) : undefined;
    return prefixLength <= 128 ? ipv6Network(ip, prefixLength) : undefined;
  }

  /** The network of prefix `prefixLength` that contains `ip`. */
  static of(ip: Ip, prefixLength: number): Cidr {
    if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > ip.bits) {
      throw new RangeError(`invalid prefix length ${prefixLength} for ${ip.family}`);
    }
    return new Cidr(Ip.fromValue(ip.family, ip.value & prefixMask(ip.bits, prefixLength)), prefixLength);
  }

  get family(): IpFamily {
    return this.network.family;
  }

  get bits(): 32 | 128 {
    return this.network.bits;
  }

  /** Number of addresses, 2^(bits - prefix). */
  get size(): bigint {
    return 1n << BigInt(this.bits - this.prefixLength);
  }

  contains(ip: Ip): boolean {
    return ip.family === this.family && (ip.value & prefixMask(this.bits, this.prefixLength)) === this.network.value;
  }

  /** The reference's overlap test: either network contains the other's network address. */
  overlaps(other: Cidr): boolean {
    return this.contains(other.network) || other.contains(this.network);
  }

  equals(other: Cidr): boolean {
    return this.prefixLength === other.prefixLength && this.network.equals(other.network);
  }

  /** The IPv4 prefix as a dotted mask (`/13` is `255.248.0.0`), as OpenVPN's `iroute` wants it. */
  dottedNetmask(): string {
    if (this.family !== 'IPv4') throw new Error(`no dotted netmask for IPv6 network ${this.toString()}`);
    return Ip.fromValue('IPv4', prefixMask(32, this.prefixLength)).toString();
  }

  toString(): string {
    return `${this.network.toString()}/${this.prefixLength}`;
  }
}

function prefixMask(bits: number, prefixLength: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefixLength)) - 1n);
}

/**
 * A network written in IPv6 syntax. `Ip` reads an IPv4-mapped address as IPv4; Go masks its 128-bit
 * form instead, and only a masked network that is still IPv4-mapped (prefix >= 96) becomes IPv4.
 */
function ipv6Network(ip: Ip, prefixLength: number): Cidr {
  if (ip.family === 'IPv6') return Cidr.of(ip, prefixLength);
  const network = Cidr.of(Ip.fromValue('IPv6', IPV4_MAPPED_BASE | ip.value), prefixLength);
  if (network.network.value >> 32n !== IPV4_MAPPED_BASE >> 32n) return network;
  return Cidr.of(Ip.fromValue('IPv4', network.network.value - IPV4_MAPPED_BASE), prefixLength - 96);
}
