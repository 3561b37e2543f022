/** HA servers are vpn-seed-server-0..2 (the reference takes the index from a `-[0-2]` pod-name suffix). */
export const MAX_HA_SERVERS = 3;

/** A path: server `server`'s tap on the seed side to shoot client `client` (pod vpn-shoot-<client>). */
export interface PathId {
  readonly server: number;
  readonly client: number;
}

export function tapName(server: number): string {
  return `tap${server}`;
}

/** The server of a link named `tap0`..`tap2`; undefined for every other name. */
export function serverOfTap(name: string): number | undefined {
  const match = /^tap(\d)$/.exec(name);
  if (match === null) return undefined;
  const server = Number(match[1]);
  return server < MAX_HA_SERVERS ? server : undefined;
}

export function samePath(a: PathId, b: PathId): boolean {
  return a.server === b.server && a.client === b.client;
}

/** `tap1/client0`, for logs. */
export function describePath(path: PathId): string {
  return `${tapName(path.server)}/client${path.client}`;
}

export function describePaths(paths: readonly PathId[]): string {
  return paths.length === 0 ? 'none' : paths.map(describePath).join(',');
}
