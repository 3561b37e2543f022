import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { copyPrivate, createAuthority, createTlsAuthKey, issue as issueCertificate, type KeyPair } from './certs';

/**
 * Throwaway PKI of an HA lab (openssl, EC P-256), with Gardener's identities: the server certificate
 * (CN vpn-seed-server), one client certificate per shoot client (CN vpn-shoot-client-<k>, whose ccd file
 * on each server pushes the fixed address), the kube-apiserver pods' shared client certificate
 * (CN vpn-seed-client, pool addresses) and the tls-auth key.
 */
export interface HaCertificates {
  caCert: string;
  server: KeyPair;
  shootClients: KeyPair[];
  seedClient: KeyPair;
  tlsAuthKey: string;
}

export async function createHaCertificates(dir: string, shootClients: number): Promise<HaCertificates> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tlsAuthKey = path.join(dir, 'vpn.tlsauth');
  const [ca] = await Promise.all([createAuthority(dir, 'ha-ca'), createTlsAuthKey(tlsAuthKey)]);
  const issue = (commonName: string, usage: 'serverAuth' | 'clientAuth'): Promise<KeyPair> =>
    issueCertificate(dir, ca, commonName, commonName, usage);
  const [server, seedClient, ...shoot] = await Promise.all([
    issue('vpn-seed-server', 'serverAuth'),
    issue('vpn-seed-client', 'clientAuth'),
    ...Array.from({ length: shootClients }, (_, k) => issue(`vpn-shoot-client-${k}`, 'clientAuth')),
  ]);
  return { caCert: ca.cert, server, shootClients: shoot, seedClient, tlsAuthKey };
}

/**
 * The layout under `--secrets-dir` as the pods mount it: `vpn-server/` (servers), `vpn-client/`
 * (kube-apiserver pods), `vpn-client-<k>/` (vpn-shoot pods, each mounts all of them), `tlsauth/`.
 */
export async function writeHaSecrets(root: string, certs: HaCertificates): Promise<void> {
  const dirs: [string, KeyPair][] = [
    ['vpn-server', certs.server],
    ['vpn-client', certs.seedClient],
    ...certs.shootClients.map((pair, k): [string, KeyPair] => [`vpn-client-${k}`, pair]),
  ];
  for (const [name, pair] of dirs) {
    const dir = path.join(root, name);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.copyFile(certs.caCert, path.join(dir, 'ca.crt'));
    await fs.copyFile(pair.cert, path.join(dir, 'tls.crt'));
    await copyPrivate(pair.key, path.join(dir, 'tls.key'));
  }
  await fs.mkdir(path.join(root, 'tlsauth'), { recursive: true, mode: 0o700 });
  await copyPrivate(certs.tlsAuthKey, path.join(root, 'tlsauth', 'vpn.tlsauth'));
}
