import { checkHealth, type Logger, parseServerSettings } from '@vpn/common';

/** Exec probes: exit 0 when alive/ready, 1 when not (with the reason on stdout, which kubelet records). */
export async function probe(kind: 'readiness' | 'liveness', log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = parseServerSettings(env);
  const result = await checkHealth(settings.openvpnStatusPath, kind, { isHA: settings.ha !== undefined });
  if (result.ok) return 0;
  log.warn(`not ${kind === 'readiness' ? 'ready' : 'alive'}: ${result.reason}`);
  return 1;
}
