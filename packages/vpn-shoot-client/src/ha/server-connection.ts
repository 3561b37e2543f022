import { ManagementClient, oneLine, type Logger } from '@vpn/common';
import type { Watch, WatchServerConnection } from './ports';
import { MANAGEMENT_HOST, MANAGEMENT_PORT_BASE, MANAGEMENT_TIMEOUT_MS, SERVER_WATCH_RETRY_MS } from './timing';

/**
 * OpenVPN states (`state on`, `>STATE:<time>,<state>,<detail>,…`) that mean the client has just lost its
 * server: RECONNECTING follows a reset or closed TCP connection, EXITING a stop of the client itself.
 */
const LOST_STATES = new Set(['RECONNECTING', 'EXITING']);

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
  return (server, onLost) => {
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
      c.onNotification((line) => {
        const [, state, detail] = /^>STATE:\d+,([A-Z_]+),([^,]*)/.exec(line) ?? [];
        if (state !== undefined && LOST_STATES.has(state)) onLost(`${state.toLowerCase()}${detail ? ` (${detail})` : ''}`);
      });
      try {
        await c.command('state on', MANAGEMENT_TIMEOUT_MS);
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
        onLost(`management connection ended: ${reason}`);
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
