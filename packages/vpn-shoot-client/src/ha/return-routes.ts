import type { Ip } from '@vpn/common';
import { ACTIVE_SILENCE_MS, RETURN_ROUTE_EXPIRY_MS } from './timing';
import { compareOrder, type AnnouncementOrder } from './wire';

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
  newest: AnnouncementOrder;
  paths: Map<number, PathSighting>;
  chosen: number | undefined;
}

/**
 * The shoot side's choice of a return path per seed pod. A pod is routed back along the path its path
 * controller marks active; announcements older (boot, epoch) than the newest one seen for the pod are
 * ignored, so a late datagram from before a switch cannot move the route back. When the active path has
 * been silent for ACTIVE_SILENCE_MS (or no path here is active: the seed routes through another shoot
 * client), the route stays where it is while that path is still heard, else moves to the freshest path.
 * A path silent for RETURN_ROUTE_EXPIRY_MS is forgotten, and a pod without paths loses its route.
 */
export class ReturnRouteTable {
  private readonly pods = new Map<string, PodEntry>();

  /** Records an announcement; false when it is older than the newest seen for its pod, and ignored. */
  observe(sighting: Sighting, now: number): boolean {
    const key = sighting.pod.toString();
    let entry = this.pods.get(key);
    if (entry === undefined) {
      entry = { pod: sighting.pod, newest: sighting.order, paths: new Map(), chosen: undefined };
      this.pods.set(key, entry);
    }
    const age = compareOrder(sighting.order, entry.newest);
    if (age < 0) return false;
    if (age > 0) {
      entry.newest = sighting.order;
      for (const path of entry.paths.values()) path.active = false;
    }
    entry.paths.set(sighting.server, { sender: sighting.sender, lastSeen: now, active: sighting.active });
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
