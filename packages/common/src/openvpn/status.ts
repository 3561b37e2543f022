/**
 * The OpenVPN server status file (`status <path> 15` with `status-version 2`), as written by OpenVPN 2.6
 * and 2.7. The probes and the metrics exporter read it; the parser follows the Go vpn2 parser's rules and
 * error texts, except where OpenVPN's way of writing the file needs more: OpenVPN rewrites it in place
 * (seek to the start, write, truncate), so a reader can catch it cut short or followed by the old
 * content's tail. We therefore require the `END` line OpenVPN always writes last, read nothing after it,
 * and call an empty file by its name.
 */
import ipaddr from 'ipaddr.js';

/** A client's public endpoint as OpenVPN prints it in the "Real Address" column. */
export interface RealAddress {
  /** The column verbatim (e.g. `udp6:[fd00:10:1::2]:18949`), as the exporter labels it. */
  text: string;
  ip: string;
  /** 0 when the notation carries no port (OpenVPN 2.6 prints IPv6 peers without one). */
  port: number;
}

/** One CLIENT_LIST row: a connection, possibly half-open (CN `UNDEF`, TLS not finished). */
export interface StatusClient {
  commonName: string;
  realAddress: RealAddress;
  /** The IPv4 virtual address; empty with the IPv6-only transfer network and for half-open clients. */
  virtualAddress: string;
  /** null when the column is empty or not an IPv6 address (half-open clients have none). */
  virtualIpv6: string | null;
  /** Exact: OpenVPN counts in 64 bits, beyond what a JavaScript number holds exactly (2^53). */
  bytesReceived: bigint;
  bytesSent: bigint;
  connectedSince: Date;
  /** "Connected Since (time_t)" verbatim; the exporter's `connection_time` label. */
  connectedSinceTimeT: string;
  username: string;
  clientId: string;
  peerId: string;
  dataChannelCipher: string;
}

/** One ROUTING_TABLE row. */
export interface StatusRoute {
  /** Verbatim: `243.0.0.0/8`, `242.0.140.197C` (learned host route), `fd8f::1000`, `de:23:94:06:67:04@0` (tap). */
  virtualAddress: string;
  commonName: string;
  realAddress: RealAddress;
  lastRef: Date;
  /** "Last Ref (time_t)" verbatim; null when the row stops after "Last Ref". */
  lastRefTimeT: string | null;
}

export interface OpenVpnStatus {
  /** The TITLE line after `TITLE,`; '' when the file has none. */
  title: string;
  /** The TIME line's text timestamp read as UTC; null when the file has no TIME line. */
  updatedAt: Date | null;
  /** The TIME line's unix-time field verbatim; null when absent. */
  updatedAtTimeT: string | null;
  clients: StatusClient[];
  routes: StatusRoute[];
  globalStats: Map<string, string>;
}

/** Messages quote lines and fields; OpenVPN's are far shorter, a garbled file's may run to megabytes. */
const MAX_MESSAGE_LENGTH = 512;

/** The text is not a status file the reference would accept; the message is the reference's wording. */
export class StatusFormatError extends Error {
  constructor(message: string) {
    super(message.length <= MAX_MESSAGE_LENGTH ? message : `${message.slice(0, MAX_MESSAGE_LENGTH)}... (${message.length} characters)`);
    this.name = 'StatusFormatError';
  }
}

const TIME_LAYOUT = '2006-01-02 15:04:05';
const TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** OpenVPN's `YYYY-MM-DD HH:MM:SS`, read as UTC as the reference does (containers run in UTC). */
function parseStatusTime(value: string): Date {
  const m = TIME_PATTERN.exec(value);
  if (!m) {
    throw new StatusFormatError(`parsing time "${value}" as "${TIME_LAYOUT}": cannot parse "${value}"`);
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const outOfRange = month < 1 || month > 12 ? 'month' : hour > 23 ? 'hour' : minute > 59 ? 'minute' : second > 59 ? 'second' : undefined;
  if (outOfRange) throw new StatusFormatError(`parsing time "${value}": ${outOfRange} out of range`);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (day < 1 || date.getUTCDate() !== day) throw new StatusFormatError(`parsing time "${value}": day out of range`);
  return date;
}

const UINT64_MAX = (1n << 64n) - 1n;

function parseByteCount(value: string, column: string): bigint {
  const count = /^\d+$/.test(value) ? BigInt(value) : undefined;
  if (count === undefined || count > UINT64_MAX) throw new StatusFormatError(`CLIENT_LIST: invalid ${column}: "${value}"`);
  return count;
}

/**
 * 2.6: `100.64.3.32:41392`, bare IPv6 `fd00:10:1::2`. 2.7: optional `udp|tcp[4|6][-client|-server]:`
 * prefix, IPv6 bracketed with a port (OpenVPN issue #963).
 */
const REAL_ADDRESS_PATTERN = /^(?:(?:udp|tcp)[46]?(?:-client|-server)?:)?(?:\[([0-9a-fA-F:.]*)\]|([0-9a-fA-F:.]*))(?::([0-9]+))?$/;

function isIp(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text) || ipaddr.IPv6.isValid(text);
}

function isPort(text: string): boolean {
  return /^\d+$/.test(text) && Number(text) <= 65535;
}

function parsePort(text: string, whole: string): number {
  if (!isPort(text)) throw new Error(`invalid port "${text}" parsing "${whole}"`);
  return Number(text);
}

function parseIp(text: string): string {
  if (!isIp(text)) throw new Error(`unable to parse IP: "${text}"`);
  return text;
}

/** The `ip:port` split the reference tries on a bare capture, which only IPv4 notation passes. */
function tryIpv4WithPort(capture: string): { ip: string; port: number } | undefined {
  const colon = capture.lastIndexOf(':');
  const ip = capture.slice(0, colon);
  const portText = capture.slice(colon + 1);
  if (colon < 0 || !ipaddr.IPv4.isValidFourPartDecimal(ip) || !isPort(portText)) return undefined;
  return { ip, port: Number(portText) };
}

/** Parses a "Real Address" column; throws with the reference's inner error text. */
export function parseRealAddress(text: string): RealAddress {
  const m = REAL_ADDRESS_PATTERN.exec(text);
  if (!m) throw new Error(`invalid address format: ${text}`);
  const [, bracketed, bare, portText] = m;
  const capture = bracketed ?? bare ?? '';
  if (portText !== undefined) {
    const hostPort = bracketed === undefined ? `${capture}:${portText}` : `[${capture}]:${portText}`;
    return { text, ip: parseIp(capture), port: parsePort(portText, hostPort) };
  }
  const withPort = tryIpv4WithPort(capture);
  if (withPort) return { text, ...withPort };
  return { text, ip: parseIp(capture), port: 0 };
}

function realAddressOf(lineType: string, value: string): RealAddress {
  try {
    return parseRealAddress(value);
  } catch (err) {
    throw new StatusFormatError(`${lineType}: can't parse real client address: ${value} (${(err as Error).message})`);
  }
}

function requireFields(fields: string[], min: number, line: string): void {
  if (fields.length < min) throw new StatusFormatError(`invalid ${fields[0]} line: ${line}`);
}

function parseClient(fields: string[], line: string): StatusClient {
  requireFields(fields, 13, line);
  const f = fields;
  return {
    commonName: f[1],
    realAddress: realAddressOf('CLIENT_LIST', f[2]),
    virtualAddress: f[3],
    virtualIpv6: ipaddr.IPv6.isValid(f[4]) ? f[4] : null,
    bytesReceived: parseByteCount(f[5], 'Bytes Received'),
    bytesSent: parseByteCount(f[6], 'Bytes Sent'),
    connectedSince: parseStatusTime(f[7]),
    connectedSinceTimeT: f[8],
    username: f[9],
    clientId: f[10],
    peerId: f[11],
    dataChannelCipher: f[12],
  };
}

function parseRoute(fields: string[], line: string): StatusRoute {
  requireFields(fields, 5, line);
  const f = fields;
  return {
    virtualAddress: f[1],
    commonName: f[2],
    realAddress: realAddressOf('ROUTING_TABLE', f[3]),
    lastRef: parseStatusTime(f[4]),
    lastRefTimeT: f.length > 5 ? f[5] : null,
  };
}

/**
 * Parses a status file's text up to its `END` line; throws StatusFormatError on the first line the
 * reference rejects, and on text that is empty or ends before `END`.
 */
export function parseStatus(text: string): OpenVpnStatus {
  if (text === '') throw new StatusFormatError('empty: OpenVPN has not written a status yet');
  const status: OpenVpnStatus = {
    title: '',
    updatedAt: null,
    updatedAtTimeT: null,
    clients: [],
    routes: [],
    globalStats: new Map(),
  };
  for (const rawLine of text.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === 'END') return status;
    if (line === '') continue;
    const fields = line.split(',');
    switch (fields[0]) {
      case 'TITLE':
        status.title = fields.slice(1).join(',');
        break;
      case 'TIME':
        requireFields(fields, 2, line);
        status.updatedAt = parseStatusTime(fields[1]);
        status.updatedAtTimeT = fields.length > 2 ? fields[2] : null;
        break;
      case 'HEADER':
        break;
      case 'CLIENT_LIST':
        status.clients.push(parseClient(fields, line));
        break;
      case 'ROUTING_TABLE':
        status.routes.push(parseRoute(fields, line));
        break;
      case 'GLOBAL_STATS':
        requireFields(fields, 2, line);
        status.globalStats.set(fields[1], fields.slice(2).join(','));
        break;
      default:
        throw new StatusFormatError(`unknown line type: ${line}`);
    }
  }
  throw new StatusFormatError('truncated: no END line');
}
