import type { BondingMode } from '@vpn/common';
import { samePath, type PathId } from './path';

/** The paths the shoot networks are routed over, and how often that set changed (the announcements' epoch). */
export interface Selection {
  readonly epoch: number;
  readonly active: readonly PathId[];
}

/**
 * Chooses the active path(s) from the healthy ones.
 *
 * active-backup: one path, sticky: it stays active as long as it is healthy, also when a preferred path
 * comes back (no flapping). When it must switch, the choice is deterministic: a path to the same shoot
 * client if there is one (that shoot pod masquerades the traffic, so established connections survive a
 * switch of server only), else the lowest shoot client index, then the lowest server index.
 *
 * balance-rr: every healthy path, in that order.
 *
 * With no healthy path the previous choice stays (its routes are the best guess until a path returns).
 */
export class ActivePathSelector {
  private current: Selection = { epoch: 0, active: [] };

  constructor(private readonly mode: BondingMode) {}

  get selection(): Selection {
    return this.current;
  }

  /** Takes the currently healthy paths; true when the selection changed (and its epoch advanced). */
  update(healthy: readonly PathId[]): boolean {
    if (healthy.length === 0) return false;
    const next = this.mode === 'balance-rr' ? sortByPreference(healthy) : [this.choose(healthy)];
    if (sameSet(next, this.current.active)) return false;
    this.current = { epoch: this.current.epoch + 1, active: next };
    return true;
  }

  private choose(healthy: readonly PathId[]): PathId {
    const [previous] = this.current.active;
    if (previous === undefined) return sortByPreference(healthy)[0];
    if (healthy.some((path) => samePath(path, previous))) return previous;
    const sameClient = healthy.filter((path) => path.client === previous.client);
    return sortByPreference(sameClient.length > 0 ? sameClient : healthy)[0];
  }
}

function sortByPreference(paths: readonly PathId[]): PathId[] {
  return [...paths].sort((a, b) => a.client - b.client || a.server - b.server);
}

function sameSet(a: readonly PathId[], b: readonly PathId[]): boolean {
  return a.length === b.length && a.every((path) => b.some((other) => samePath(path, other)));
}
