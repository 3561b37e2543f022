import { randomBytes } from 'node:crypto';
import { Ip } from '@vpn/common';

/**
 * The one datagram of the HA controllers: UDP to port 5400 of a shoot client's address on a path, one
 * JSON object (UTF-8, at most MAX_DATAGRAM_BYTES), for example
 *
 *   {"v":2,"pod":"10.200.0.10","inst":"9f2c4e1a0b3d5c7e","epoch":3,"seq":1234,"nonce":"5ad1c0ffee00b1e5","role":"active"}
 *
 *   v      format version, 2; any other value is refused.
 *   pod    the seed pod IP the shoot routes back to (POD_IP, mapped into 241.0.0.0/8 when the seed pod
 *          network overlaps a shoot network), IPv4 or IPv6.
 *   inst   the path controller instance: 64 random bits (16 lower-case hex digits) drawn at start. It orders
 *          nothing by itself and trusts no clock: the shoot side keeps a pod with the instance it hears, and
 *          hands it to another instance only after the first has been silent (return-routes.ts).
 *   epoch  the number of times this instance changed its active path(s). Within one instance it orders
 *          announcements: the shoot side ignores any older than the newest it has seen for that pod.
 *   seq    the probe number, one per probe interval, the same on every path.
 *   nonce  64 random bits (16 hex digits) drawn for this one datagram: an echo counts only when it carries
 *          the nonce of an outstanding probe of its path, so echoes cannot be forged by guessing seq.
 *   role   the seed's view of this path: "active" (the shoot networks are routed over it; in balance-rr
 *          every healthy path is active), "standby" (healthy, not routed) or "down" (not healthy).
 *          In an echo only, "leaving": the tunnel controller is stopping (its pod is being deleted) and its
 *          OpenVPN clients will follow; the path controller takes the path out of use at once.
 *
 * The path controller sends one to every shoot client over every path each probe interval. The tunnel
 * controller answers every datagram it accepts by echoing it byte for byte to its source address and
 * port: the echo is the probe's reply; a stopping tunnel controller echoes it with the role "leaving" instead.
 * "active" and "standby" datagrams are also announcements (they install return routes and feed the
 * watchdog); "down" and "leaving" ones are only probes. Unknown fields are ignored.
 */
export const WIRE_VERSION = 2;
export const MAX_DATAGRAM_BYTES = 512;

export const PATH_ROLES = ['active', 'standby', 'down', 'leaving'] as const;
export type PathRole = (typeof PATH_ROLES)[number];

/** 64 random bits as 16 lower-case hex digits: instance identities and probe nonces. */
export type RandomId = string & { readonly __randomId: unique symbol };
const RANDOM_ID = /^[0-9a-f]{16}$/;

/** Random bytes drawn in batches: one system call per 512 ids instead of one per probe. */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomPoolOffset = 0;

export function randomId(): RandomId {
  if (randomPoolOffset + 8 > randomPool.length) {
    randomPool = randomBytes(RANDOM_POOL_BYTES);
    randomPoolOffset = 0;
  }
  randomPoolOffset += 8;
  return randomPool.toString('hex', randomPoolOffset - 8, randomPoolOffset) as RandomId;
}

/** Position of an announcement in its sender's history. */
export interface AnnouncementOrder {
  instance: RandomId;
  epoch: number;
}

export interface Announcement extends AnnouncementOrder {
  pod: Ip;
  seq: number;
  nonce: RandomId;
  role: PathRole;
}

export function encodeAnnouncement(announcement: Announcement): Buffer {
  const { pod, instance, epoch, seq, nonce, role } = announcement;
  return Buffer.from(JSON.stringify({ v: WIRE_VERSION, pod: pod.toString(), inst: instance, epoch, seq, nonce, role }), 'utf8');
}

/** Throws an Error naming the problem when `data` is not a valid datagram. */
export function decodeAnnouncement(data: Buffer): Announcement {
  if (data.length > MAX_DATAGRAM_BYTES) throw new Error(`datagram of ${data.length} bytes exceeds ${MAX_DATAGRAM_BYTES}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw new Error('datagram is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('datagram is not a JSON object');
  const fields = parsed as Record<string, unknown>;
  if (fields.v !== WIRE_VERSION) throw new Error(`unsupported version ${JSON.stringify(fields.v)}`);
  const pod = typeof fields.pod === 'string' ? Ip.tryParse(fields.pod) : undefined;
  if (pod === undefined) throw new Error(`pod ${JSON.stringify(fields.pod)} is not an IP address`);
  const role = fields.role;
  if (!(PATH_ROLES as readonly unknown[]).includes(role)) throw new Error(`unknown role ${JSON.stringify(role)}`);
  return {
    pod,
    instance: randomIdField(fields, 'inst'),
    epoch: counter(fields, 'epoch'),
    seq: counter(fields, 'seq'),
    nonce: randomIdField(fields, 'nonce'),
    role: role as PathRole,
  };
}

function randomIdField(fields: Record<string, unknown>, name: string): RandomId {
  const value = fields[name];
  if (typeof value !== 'string' || !RANDOM_ID.test(value)) throw new Error(`${name} ${JSON.stringify(value)} is not 16 hex digits`);
  return value as RandomId;
}

function counter(fields: Record<string, unknown>, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} ${JSON.stringify(value)} is not a non-negative integer`);
  }
  return value;
}
