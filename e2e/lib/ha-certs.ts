import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { run } from '@vpn/common';
import type { KeyPair } from './certs';

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

const VALID_DAYS = '2';

export async function createHaCertificates(dir: string, shootClients: number): Promise<HaCertificates> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const caCert = path.join(dir, 'ca.crt');
  const caKey = path.join(dir, 'ca.key');
  const tlsAuthKey = path.join(dir, 'vpn.tlsauth');
  await Promise.all([
    openssl([
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert,
      '-days', VALID_DAYS, '-subj', '/CN=vpn-e2e-ha-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    ]),
    genTlsAuthKey(tlsAuthKey),
  ]);
  const issue = async (commonName: string, usage: 'serverAuth' | 'clientAuth'): Promise<KeyPair> => {
    const cert = path.join(dir, `${commonName}.crt`);
    const key = path.join(dir, `${commonName}.key`);
    await openssl([
      'req', '-x509', '-CA', caCert, '-CAkey', caKey, '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-out', cert, '-days', VALID_DAYS, '-subj', `/CN=${commonName}`,
      '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature,keyAgreement',
      '-addext', `extendedKeyUsage=${usage}`,
    ]);
    return { cert, key };
  };
  const [server, seedClient, ...shoot] = await Promise.all([
    issue('vpn-seed-server', 'serverAuth'),
    issue('vpn-seed-client', 'clientAuth'),
    ...Array.from({ length: shootClients }, (_, k) => issue(`vpn-shoot-client-${k}`, 'clientAuth')),
  ]);
  return { caCert, server, shootClients: shoot, seedClient, tlsAuthKey };
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

async function genTlsAuthKey(file: string): Promise<void> {
  const r = await run('openvpn', ['--genkey', 'tls-auth', file]);
  if (r.code !== 0) throw new Error(`openvpn --genkey tls-auth: ${(r.stderr || r.stdout).trim()}`);
  await fs.chmod(file, 0o600);
}

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args);
  if (r.code !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')}: ${r.stderr.trim()}`);
}

async function copyPrivate(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to);
  await fs.chmod(to, 0o600);
}
