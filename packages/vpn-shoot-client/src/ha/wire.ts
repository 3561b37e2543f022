import { Ip } from '@vpn/common';

/**
 * The one datagram of the HA controllers: UDP to port 5400 of a shoot client's address on a path, one
 * JSON object (UTF-8, at most MAX_DATAGRAM_BYTES), for example
 *
 *   {"v":1,"pod":"10.200.0.10","boot":1764000000000,"epoch":3,"seq":1234,"role":"active"}
 *
 *   v      format version, 1; any other value is refused.
 *   pod    the seed pod IP the shoot routes back to (POD_IP, mapped into 241.0.0.0/8 when the seed pod
 *          network overlaps a shoot network), IPv4 or IPv6.
 *   boot   the path controller's start time (ms since 1970): a restarted controller outranks its predecessor.
 *   epoch  the number of times this controller changed its active path(s) since boot. (boot, epoch) orders
 *          announcements: the shoot side ignores any older than the newest it has seen for that pod.
 *   seq    the probe number, one per probe interval, the same on every path.
 *   role   the seed's view of this path: "active" (the shoot networks are routed over it; in balance-rr
 *          every healthy path is active), "standby" (healthy, not routed) or "down" (not healthy).
 *
 * The path controller sends one to every shoot client over every path each probe interval. The tunnel
 * controller answers every datagram it accepts by echoing it byte for byte to its source address and
 * port: the echo is the probe's reply. "active" and "standby" datagrams are also announcements (they
 * install return routes and feed the watchdog); "down" ones are only probes. Unknown fields are ignored.
 */
export const WIRE_VERSION = 1;
export const MAX_DATAGRAM_BYTES = 512;

export const PATH_ROLES = ['active', 'standby', 'down'] as const;
export type PathRole = (typeof PATH_ROLES)[number];

/** Position of an announcement in its sender's history. */
export interface AnnouncementOrder {
  boot: number;
  epoch: number;
}

export interface Announcement extends AnnouncementOrder {
  pod: Ip;
  seq: number;
  role: PathRole;
}

export function encodeAnnouncement(announcement: Announcement): Buffer {
  const { pod, boot, epoch, seq, role } = announcement;
  return Buffer.from(JSON.stringify({ v: WIRE_VERSION, pod: pod.toString(), boot, epoch, seq, role }), 'utf8');
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
  const boot = counter(fields, 'boot');
  if (boot === 0) throw new Error('boot must be positive');
  return { pod, boot, epoch: counter(fields, 'epoch'), seq: counter(fields, 'seq'), role: role as PathRole };
}

/** Negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareOrder(a: AnnouncementOrder, b: AnnouncementOrder): number {
  return a.boot !== b.boot ? a.boot - b.boot : a.epoch - b.epoch;
}

function counter(fields: Record<string, unknown>, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} ${JSON.stringify(value)} is not a non-negative integer`);
  }
  return value;
}
