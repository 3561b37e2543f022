/**
 * What a path controller's log says: its verdict on every path (`path healthy` / `path dead`, logged on
 * each change) and its switches of the active path(s) (`active path changed ... to=<paths>`). Paths are
 * named as the controller logs them, `tap<s>/client<k>`.
 */
export interface ControllerView {
  /** From the start line: the announced pod IP and the shoot routes it maintains. */
  podIp: string | undefined;
  routes: string[];
  /** Destinations whose route was installed since the last switch. */
  installed: Set<string>;
  healthy: Set<string>;
  dead: Set<string>;
  /** The active path(s) after the last switch; empty before the first. */
  active: string[];
  /** Every switch, in order, as the list of paths it switched to. */
  switches: string[][];
  /** How many "path dead" verdicts were logged. */
  deaths: number;
  /** The taps whose server stopped acknowledging this pod's connection (`server connection stalled`), in order. */
  stalled: string[];
}

const HEALTHY = /\bpath healthy\b.*\bpath=(\S+)/;
const DEAD = /\bpath dead\b.*\bpath=(\S+)/;
const SWITCH = /\bactive path changed\b.*\bto=(\S+)/;
const STARTED = /\bpath controller started\b.*\bpod_ip=(\S+).*\broutes=(\S+)/;
const INSTALLED = /\broute installed\b.*\broute="(\S+) /;
const STALLED = /\bserver connection stalled\b.*\btap=(\S+)/;

export function readControllerLog(lines: readonly string[]): ControllerView {
  const view: ControllerView = {
    podIp: undefined,
    routes: [],
    installed: new Set(),
    healthy: new Set(),
    dead: new Set(),
    active: [],
    switches: [],
    deaths: 0,
    stalled: [],
  };
  for (const line of lines) {
    const started = STARTED.exec(line);
    if (started) {
      view.podIp = started[1];
      view.routes = started[2].split(',');
    }
    const installed = INSTALLED.exec(line);
    if (installed) view.installed.add(installed[1]);
    const healthy = HEALTHY.exec(line);
    if (healthy) {
      view.healthy.add(healthy[1]);
      view.dead.delete(healthy[1]);
    }
    const dead = DEAD.exec(line);
    if (dead) {
      view.deaths += 1;
      view.dead.add(dead[1]);
      view.healthy.delete(dead[1]);
    }
    const stalled = STALLED.exec(line);
    if (stalled) view.stalled.push(stalled[1]);
    const change = SWITCH.exec(line);
    if (change) {
      view.active = change[1] === 'none' ? [] : change[1].split(',');
      view.switches.push(view.active);
      view.installed.clear();
    }
  }
  return view;
}

/** The controller has an active path and every shoot route is installed for it. */
export function routesInSync(view: ControllerView): boolean {
  return view.active.length > 0 && view.routes.length > 0 && view.routes.every((r) => view.installed.has(r));
}

/** Destinations of the return routes a tunnel controller has installed (`<pod IP>/32`). */
export function returnRoutes(lines: readonly string[]): Set<string> {
  const routes = new Set<string>();
  for (const line of lines) {
    const installed = INSTALLED.exec(line);
    if (installed) routes.add(installed[1]);
  }
  return routes;
}

/** `tap<s>/client<k>` for every server and shoot client. */
export function allPaths(servers: number, shootClients: number): string[] {
  const paths: string[] = [];
  for (let k = 0; k < shootClients; k++) for (let s = 0; s < servers; s++) paths.push(pathName(s, k));
  return paths;
}

export function pathName(server: number, client: number): string {
  return `tap${server}/client${client}`;
}

/** The value of `series` (name and labels as exposed, e.g. `x_total{reason="initial"}`) in a Prometheus text scrape. */
export function metricSample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
