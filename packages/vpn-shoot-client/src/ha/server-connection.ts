import { isIP } from 'node:net';
import { ManagementClient, oneLine, type Logger, type TcpConnectionId } from '@vpn/common';
import type { Watch, WatchServerConnection } from './ports';
import { MANAGEMENT_HOST, MANAGEMENT_PORT_BASE, MANAGEMENT_TIMEOUT_MS, SERVER_WATCH_RETRY_MS } from './timing';

/**
 * OpenVPN states (`state on`, `>STATE:<time>,<state>,<detail>,…`) that mean the client has just lost its
 * server: RECONNECTING follows a reset or closed TCP connection, EXITING a stop of the client itself.
 */
const LOST_STATES = new Set(['RECONNECTING', 'EXITING']);

/**
 * The TCP connection of a CONNECTED state line, as the `state` command answers it or `>STATE:` reports it:
 * `<time>,CONNECTED,SUCCESS,<tun IPv4>,<remote address>,<remote port>,<local address>,<local port>,<tun IPv6>`.
 * Undefined for other states and for lines without both ends (a UDP client reports no local address).
 */
export function connectedTcpConnection(line: string): TcpConnectionId | undefined {
  const fields = line.replace(/^>STATE:/, '').split(',');
  if (fields[1] !== 'CONNECTED') return undefined;
  const [remoteAddress = '', remotePort = '', localAddress = '', localPort = ''] = fields.slice(4, 8);
  const endpoint = (address: string, port: string): { address: string; port: number } | undefined => {
    const number = /^\d{1,5}$/.test(port) ? Number(port) : 0;
    return isIP(address) !== 0 && number > 0 && number < 65536 ? { address, port: number } : undefined;
  };
  const remote = endpoint(remoteAddress, remotePort);
  const local = endpoint(localAddress, localPort);
  return remote && local && isIP(remote.address) === isIP(local.address) ? { local, remote } : undefined;
}

/**
 * Watches through the client's management interface (127.0.0.1:7505+s). A client whose management
 * connection ends has exited (its container restarts), which loses the server as well. The watch reconnects
 * every `retryMs` while the interface is unreachable and logs that once per streak.
 */
export function managementConnectionWatcher(
  logger: Logger,
  host = MANAGEMENT_HOST,
  portBase = MANAGEMENT_PORT_BASE,
  retryMs = SERVER_WATCH_RETRY_MS,
): WatchServerConnection {
  return (server, events) => {
    const port = portBase + server;
    let client: ManagementClient | undefined;
    let closed = false;
    let unreachableLogged = false;
    let retry: NodeJS.Timeout | undefined;

    const retryLater = (): void => {
      retry = setTimeout(() => void connect(), retryMs);
    };
    const connect = async (): Promise<void> => {
      retry = undefined;
      let c: ManagementClient;
      try {
        c = await ManagementClient.connect(host, port, MANAGEMENT_TIMEOUT_MS);
      } catch (err) {
        if (!unreachableLogged) logger.info('OpenVPN client management not reachable yet, retrying', { port, error: oneLine(err) });
        unreachableLogged = true;
        if (!closed) retryLater();
        return;
      }
      if (closed) {
        await c.close();
        return;
      }
      unreachableLogged = false;
      const onStateLine = (line: string): void => {
        const [, state, detail] = /^(?:>STATE:)?\d+,([A-Z_]+),([^,]*)/.exec(line) ?? [];
        if (state !== undefined && LOST_STATES.has(state)) events.lost(`${state.toLowerCase()}${detail ? ` (${detail})` : ''}`);
        const connection = connectedTcpConnection(line);
        if (connection !== undefined) events.connected(connection);
      };
      c.onNotification(onStateLine);
      try {
        await c.command('state on', MANAGEMENT_TIMEOUT_MS);
        // A client that connected before we watched reports its connection only when asked.
        for (const line of await c.command('state', MANAGEMENT_TIMEOUT_MS)) onStateLine(line);
      } catch (err) {
        // Not watching yet, so nothing is lost: try again later.
        logger.warn('could not turn on OpenVPN client state notifications', { port, error: oneLine(err) });
        await c.close();
        if (!closed) retryLater();
        return;
      }
      if (closed) {
        await c.close();
        return;
      }
      client = c;
      logger.info('watching OpenVPN client state', { port });
      c.onClose((reason) => {
        client = undefined;
        if (closed) return;
        events.lost(`management connection ended: ${reason}`);
        retryLater();
      });
    };

    void connect();
    return {
      close: async (): Promise<void> => {
        closed = true;
        clearTimeout(retry);
        await client?.close();
      },
    } satisfies Watch;
  };
}
