import { InputError, type Logger, parseServerSettings, startExporter, untilTerminated } from '@vpn/common';

/** Serves the metrics until SIGTERM/SIGINT. */
export async function runExporter(listen: string, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const { host, port } = parseListen(listen);
  const settings = parseServerSettings(env);
  const statusPaths = settings.openvpnStatusPath.split(',');
  const exporter = await startExporter({ host, port, statusPaths, procRoot: '/proc', logger: log });
  log.info('serving metrics', { address: `${host ?? ''}:${exporter.port}`, status_paths: statusPaths.join(',') });
  await untilTerminated();
  await exporter.close();
}

function parseListen(listen: string): { host: string | undefined; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new InputError('--listen', `expected [host]:port, got "${listen}"`);
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port };
}
