import * as ipaddr from 'ipaddr.js';
import type { IpFamily } from './family';

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/** Go's `netip.ParseAddr` accepts only four decimal octets without leading zeros (no `10.1`, `0x0a...`, `010...`). */
const STRICT_IPV4 = new RegExp(`^${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}$`);

function familyBits(family: IpFamily): 32 | 128 {
  return family === 'IPv4' ? 32 : 128;
}

/** An IPv4 or IPv6 address as an unsigned integer, so that prefix and offset arithmetic is exact. */
export class Ip {
  private constructor(
    readonly family: IpFamily,
    readonly value: bigint,
  ) {}

  /** Parses like Go's `net.ParseIP`; an IPv4-mapped IPv6 address is IPv4, as Go's `To4()` treats it. */
  static parse(text: string): Ip {
    const ip = Ip.tryParse(text);
    if (ip === undefined) throw new Error(`invalid IP address "${text}"`);
    return ip;
  }

  static tryParse(text: string): Ip | undefined {
    if (STRICT_IPV4.test(text)) return Ip.fromValue('IPv4', bytesToValue(text.split('.').map(Number)));
    const ipv6 = parseIpv6(text);
    if (ipv6 === undefined) return undefined;
    return isIpv4Mapped(ipv6) ? Ip.fromValue('IPv4', ipv6 & 0xffffffffn) : Ip.fromValue('IPv6', ipv6);
  }

  static fromValue(family: IpFamily, value: bigint): Ip {
    if (value < 0n || value >= 1n << BigInt(familyBits(family))) {
      throw new RangeError(`value ${value} is not an ${family} address`);
    }
    return new Ip(family, value);
  }

  get bits(): 32 | 128 {
    return familyBits(this.family);
  }

  equals(other: Ip): boolean {
    return this.family === other.family && this.value === other.value;
  }

  toBytes(): number[] {
    const bytes: number[] = [];
    for (let shift = BigInt(this.bits - 8); shift >= 0n; shift -= 8n) bytes.push(Number((this.value >> shift) & 0xffn));
    return bytes;
  }

  /** Go's form: dotted quad, or RFC 5952 IPv6 (lower-case, longest zero run compressed). */
  toString(): string {
    let text = TEXT.get(this);
    if (text === undefined) {
      text = ipaddr.fromByteArray(this.toBytes()).toString();
      TEXT.set(this, text);
    }
    return text;
  }
}

/**
 * Each address's text, formatted once: the HA controllers format the same few addresses for every probe
 * and echo. Beside the object rather than in it, so that equal addresses stay deeply equal.
 */
const TEXT = new WeakMap<Ip, string>();

function bytesToValue(bytes: number[]): bigint {
  return bytes.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

/** `::ffff:a.b.c.d` */
function isIpv4Mapped(value: bigint): boolean {
  return value >> 32n === 0xffffn;
}

/**
 * Go's IPv6 syntax: hex groups of up to four digits, at most one `::`, an optional dotted IPv4 tail, no zone.
 * ipaddr.js is laxer (zones, `::a.b.c.d` read as IPv4-mapped, non-decimal IPv4 tails), so the tail is
 * converted to two hex groups here and zones are refused before ipaddr.js sees the text.
 */
function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let hex = text;
  if (text.includes('.')) {
    const cut = text.lastIndexOf(':');
    const tail = text.slice(cut + 1);
    if (cut < 0 || !STRICT_IPV4.test(tail)) return undefined;
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    hex = `${text.slice(0, cut + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  if (!ipaddr.IPv6.isValid(hex)) return undefined;
  return bytesToValue(ipaddr.IPv6.parse(hex).toByteArray());
}
