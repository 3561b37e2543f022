import type { Ip } from '@vpn/common';
import { EVICTABLE_AFTER_MS, MAX_RETURN_ROUTES } from './limits';
import { ACTIVE_SILENCE_MS, INSTANCE_TAKEOVER_MS, RETURN_ROUTE_EXPIRY_MS } from './timing';
import type { AnnouncementOrder, RandomId } from './wire';

/** A validated announcement as the tunnel controller received it. */
export interface Sighting {
  pod: Ip;
  /** The server whose tap it came through. */
  server: number;
  /** Its source address: the seed client's address on that server's tap, the return route's next hop. */
  sender: Ip;
  order: AnnouncementOrder;
  /** The seed routes the shoot networks over this path. */
  active: boolean;
}

/** `<pod>/32` (`/128`) via inet6 `<via>` dev tap`<server>`. */
export interface ReturnRoute {
  pod: Ip;
  server: number;
  via: Ip;
}

interface PathSighting {
  sender: Ip;
  lastSeen: number;
  /** The newest announcement on this path marked it active. */
  active: boolean;
}

interface PodEntry {
  pod: Ip;
  /** The path controller instance the pod follows, and the newest epoch heard from it. */
  instance: RandomId;
  epoch: number;
  /** When an announcement of that instance was last accepted. */
  lastHeard: number;
  paths: Map<number, PathSighting>;
  chosen: number | undefined;
}

/**
 * What observe() made of an announcement: `accepted`; `stale` (older epoch of the same instance); `foreign`
 * (another instance while the pod's own still speaks); `full` (a new pod while MAX_RETURN_ROUTES pods are live).
 */
export type Observation = 'accepted' | 'stale' | 'foreign' | 'full';

/**
 * The shoot side's choice of a return path per seed pod. A pod is routed back along the path its path
 * controller marks active. Each pod follows one path controller instance: announcements of an older epoch
 * of that instance are ignored, so a late datagram from before a switch cannot move the route back, and
 * another instance takes the pod over only after INSTANCE_TAKEOVER_MS of silence from the current one,
 * so no value in a datagram (however large) can pin a pod to its sender. When the active path has
 * been silent for ACTIVE_SILENCE_MS (or no path here is active: the seed routes through another shoot
 * client), the route stays where it is while that path is still heard, else moves to the freshest path.
 * A path silent for RETURN_ROUTE_EXPIRY_MS is forgotten, and a pod without paths loses its route. At most
 * MAX_RETURN_ROUTES pods are held; a new one displaces only a pod silent for EVICTABLE_AFTER_MS.
 */
export class ReturnRouteTable {
  private readonly pods = new Map<string, PodEntry>();

  constructor(private readonly capacity = MAX_RETURN_ROUTES) {}

  get size(): number {
    return this.pods.size;
  }

  observe(sighting: Sighting, now: number): Observation {
    const key = sighting.pod.toString();
    let entry = this.pods.get(key);
    if (entry !== undefined && entry.instance !== sighting.order.instance) {
      if (now - entry.lastHeard < INSTANCE_TAKEOVER_MS) return 'foreign';
      entry = undefined;
      this.pods.delete(key);
    }
    if (entry === undefined) {
      if (this.pods.size >= this.capacity && !this.evictSilent(now)) return 'full';
      entry = { pod: sighting.pod, ...sighting.order, lastHeard: now, paths: new Map(), chosen: undefined };
      this.pods.set(key, entry);
    }
    if (sighting.order.epoch < entry.epoch) return 'stale';
    if (sighting.order.epoch > entry.epoch) {
      entry.epoch = sighting.order.epoch;
      for (const path of entry.paths.values()) path.active = false;
    }
    entry.lastHeard = now;
    entry.paths.set(sighting.server, { sender: sighting.sender, lastSeen: now, active: sighting.active });
    return 'accepted';
  }

  /** Forgets the longest silent pod if it has been silent for EVICTABLE_AFTER_MS; false when none has. */
  private evictSilent(now: number): boolean {
    let oldest: [string, PodEntry] | undefined;
    for (const item of this.pods) if (oldest === undefined || item[1].lastHeard < oldest[1].lastHeard) oldest = item;
    if (oldest === undefined || now - oldest[1].lastHeard < EVICTABLE_AFTER_MS) return false;
    this.pods.delete(oldest[0]);
    return true;
  }

  /** Forgets what expired and returns the route of every pod left. */
  resolve(now: number): ReturnRoute[] {
    const routes: ReturnRoute[] = [];
    for (const [key, entry] of this.pods) {
      for (const [server, path] of entry.paths) if (now - path.lastSeen > RETURN_ROUTE_EXPIRY_MS) entry.paths.delete(server);
      if (entry.paths.size === 0) {
        this.pods.delete(key);
        continue;
      }
      entry.chosen = choose(entry, now);
      const path = entry.paths.get(entry.chosen) as PathSighting;
      routes.push({ pod: entry.pod, server: entry.chosen, via: path.sender });
    }
    return routes;
  }
}

function choose(entry: PodEntry, now: number): number {
  const all = [...entry.paths.keys()];
  const fresh = all.filter((server) => now - (entry.paths.get(server) as PathSighting).lastSeen <= ACTIVE_SILENCE_MS);
  const active = fresh.filter((server) => (entry.paths.get(server) as PathSighting).active);
  const keep = (candidates: number[]): number | undefined =>
    entry.chosen !== undefined && candidates.includes(entry.chosen) ? entry.chosen : undefined;
  if (active.length > 0) return keep(active) ?? Math.min(...active);
  const candidates = fresh.length > 0 ? fresh : all;
  return keep(candidates) ?? freshest(entry, candidates);
}

function freshest(entry: PodEntry, servers: number[]): number {
  const lastSeen = (server: number): number => (entry.paths.get(server) as PathSighting).lastSeen;
  return [...servers].sort((a, b) => lastSeen(b) - lastSeen(a) || a - b)[0];
}
