import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import {
  type ClientSettings,
  type Logger,
  ManagementClient,
  RELAY_HOST,
  clientConfigValues,
  oneLine,
  parseClientSettings,
  untilTerminated,
} from '@vpn/common';
import { MANAGEMENT_HOST } from '../ha/timing';
import { ConnectRelay, defaultRetryDelayMs, type RelayOptions } from '../relay/connect-relay';
import { connectRequest, OPENVPN_SERVER_PORT } from '../relay/http-connect';

/** What the relay tells the root command that started it, over the IPC channel, once it knows. */
export type RelayStartup = 'listening' | 'in-use';

const ATTEMPT_TIMEOUT_MS = 5_000;
const STARTUP_TIMEOUT_MS = 10_000;
const MANAGEMENT_TIMEOUT_MS = 1_000;

export interface RelayPlan {
  options: Omit<RelayOptions, 'log'>;
  managementPort: number;
}

/** The relay of a shoot client container, from the same environment as the root command. */
export function relayPlan(settings: ClientSettings): RelayPlan {
  if (settings.endpoint === '') throw new Error('ENDPOINT: required for a shoot client (the CONNECT goes through it)');
  const values = clientConfigValues(settings, { secretsDir: '', tunMtu: 0 });
  const families = settings.ipFamilies;
  return {
    options: {
      listen: { host: RELAY_HOST, port: values.relayPort },
      proxy: { host: settings.endpoint, port: settings.openvpnPort, family: families.length === 2 ? 0 : families[0] === 'IPv4' ? 4 : 6 },
      request: connectRequest({
        endpoint: settings.endpoint,
        serverPort: OPENVPN_SERVER_PORT,
        headerKey: settings.reversedVpnHeaderKey,
        headerValue: settings.reversedVpnHeader,
      }),
      attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
      retryDelayMs: defaultRetryDelayMs,
    },
    managementPort: values.managementPort,
  };
}

/**
 * `vpn-shoot-client connect-relay`: runs until SIGTERM. When another relay already holds the port (the root
 * command ran before in this pod and its relay lives on), it exits 0 and leaves that one serving.
 * When the listening socket fails, the relay asks this container's OpenVPN to exit before it exits 1, so
 * that the container restarts with a new relay instead of OpenVPN retrying a closed port forever.
 */
export async function runConnectRelay(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const plan = relayPlan(parseClientSettings(env));
  // A bug that escapes the relay ends the process (runProgram); without the relay OpenVPN would retry a
  // closed port forever, so it goes too and the container restarts. This must happen synchronously.
  const takeOpenvpnAlong = (): void => stopParentOpenvpn(log);
  process.prependListener('uncaughtException', takeOpenvpnAlong);
  process.prependListener('unhandledRejection', takeOpenvpnAlong);
  const relay = new ConnectRelay({ ...plan.options, log });
  const startup = await relay.listen();
  const listen = `${plan.options.listen.host}:${plan.options.listen.port}`;
  if (process.send) {
    process.send(startup satisfies RelayStartup);
    process.disconnect();
  }
  if (startup === 'in-use') {
    log.info('connect relay already listening, leaving it serving', { listen });
    return 0;
  }
  log.info('connect relay listening', { listen, proxy: `${plan.options.proxy.host}:${plan.options.proxy.port}` });
  try {
    await Promise.race([untilTerminated(), relay.fatal]);
  } catch (err) {
    await stopOpenvpn(plan.managementPort, log);
    throw new Error(`connect relay: listening socket failed: ${oneLine(err)}`, { cause: err });
  }
  await relay.close();
  return 0;
}

/**
 * In the container the relay's parent is OpenVPN (the entrypoint exec'd it after the root command, whose
 * child the relay was). Signals it only when the parent really is openvpn: outside a container the parent
 * is whatever adopted the relay.
 */
export function stopParentOpenvpn(log: Logger): void {
  const parent = process.ppid;
  try {
    if (readFileSync(`/proc/${parent}/comm`, 'utf8').trim() !== 'openvpn') return;
    process.kill(parent, 'SIGTERM');
    log.warn('connect relay failing: stopped OpenVPN so that the container restarts', { pid: parent });
  } catch (err) {
    log.warn('connect relay failing: could not stop OpenVPN', { pid: parent, error: oneLine(err) });
  }
}

async function stopOpenvpn(port: number, log: Logger): Promise<void> {
  try {
    const management = await ManagementClient.connect(MANAGEMENT_HOST, port, MANAGEMENT_TIMEOUT_MS);
    try {
      await management.command('signal SIGTERM', MANAGEMENT_TIMEOUT_MS);
    } finally {
      await management.close();
    }
  } catch (err) {
    log.warn('could not ask OpenVPN to exit', { management: `${MANAGEMENT_HOST}:${port}`, error: oneLine(err) });
  }
}

/**
 * Starts the relay as a process of its own session that outlives the root command (after the image's
 * entrypoint execs OpenVPN, OpenVPN inherits it as a child), logging to the container's stdout and stderr.
 * Resolves once the relay listens or found its port held by a running relay; rejects when it exits or
 * stays silent instead.
 */
export function startConnectRelay(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<RelayStartup> {
  const script = process.argv[1];
  if (script === undefined) return Promise.reject(new Error('cannot start the connect relay: unknown program path'));
  const child = spawn(process.execPath, [script, 'connect-relay'], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env,
    cwd: '/',
  });
  return new Promise<RelayStartup>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      done(() => reject(new Error(`the connect relay did not start within ${STARTUP_TIMEOUT_MS} ms`)));
    }, STARTUP_TIMEOUT_MS);
    let settled = false;
    const done = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      child.unref();
      fn();
    };
    child.once('message', (m) => {
      if (m === 'listening' || m === 'in-use') done(() => resolve(m));
      else done(() => reject(new Error(`the connect relay sent an unexpected message: ${JSON.stringify(m)}`)));
    });
    child.once('error', (err) => done(() => reject(new Error(`cannot start the connect relay: ${err.message}`))));
    child.once('exit', (code, signal) =>
      done(() => reject(new Error(`the connect relay exited (${signal ?? `code ${code}`}) before listening`))),
    );
  }).then((startup) => {
    log.debug('connect relay started', { startup, pid: child.pid });
    return startup;
  });
}
