import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { run } from '@vpn/common';

/**
 * Throwaway PKI for a lab (openssl, EC P-256): the tunnel's CA with a server certificate (serverAuth, as
 * the client checks `remote-cert-tls server`) and the non-HA shoot client certificate (CN
 * `vpn-shoot-client`, clientAuth), a second CA that signs the same two identities for the refusal
 * scenarios, and the tls-auth static key.
 */
export interface KeyPair {
  cert: string;
  key: string;
}

export interface CertificateAuthority extends KeyPair {
  name: string;
}

export interface Certificates {
  ca: CertificateAuthority;
  otherCa: CertificateAuthority;
  server: KeyPair;
  client: KeyPair;
  serverFromOtherCa: KeyPair;
  clientFromOtherCa: KeyPair;
  tlsAuthKey: string;
}

/** Which certificates a lab's secrets directory holds. */
export type SecretsVariant = 'valid' | 'client-from-other-ca' | 'server-from-other-ca';

const CLIENT_COMMON_NAME = 'vpn-shoot-client';
const SERVER_COMMON_NAME = 'vpn-seed-server';
const VALID_DAYS = '2';

export async function createCertificates(dir: string): Promise<Certificates> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const [ca, otherCa, tlsAuthKey] = await Promise.all([
    createAuthority(dir, 'ca'),
    createAuthority(dir, 'other-ca'),
    createTlsAuthKey(path.join(dir, 'vpn.tlsauth')),
  ]);
  const [server, client, serverFromOtherCa, clientFromOtherCa] = await Promise.all([
    issue(dir, ca, 'server', SERVER_COMMON_NAME, 'serverAuth'),
    issue(dir, ca, 'client', CLIENT_COMMON_NAME, 'clientAuth'),
    issue(dir, otherCa, 'server-other-ca', SERVER_COMMON_NAME, 'serverAuth'),
    issue(dir, otherCa, 'client-other-ca', CLIENT_COMMON_NAME, 'clientAuth'),
  ]);
  return { ca, otherCa, server, client, serverFromOtherCa, clientFromOtherCa, tlsAuthKey };
}

/**
 * Writes the layout both programs read under `--secrets-dir`: `vpn-server/`, `vpn-client/` (each
 * `ca.crt`, `tls.crt`, `tls.key`) and `tlsauth/vpn.tlsauth`. Both sides always trust the tunnel's CA;
 * a variant swaps one side's own certificate for one the other CA signed.
 */
export async function writeSecrets(root: string, certs: Certificates, variant: SecretsVariant): Promise<void> {
  const server = variant === 'server-from-other-ca' ? certs.serverFromOtherCa : certs.server;
  const client = variant === 'client-from-other-ca' ? certs.clientFromOtherCa : certs.client;
  for (const [name, pair] of [
    ['vpn-server', server],
    ['vpn-client', client],
  ] as const) {
    const dir = path.join(root, name);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    await fs.copyFile(certs.ca.cert, path.join(dir, 'ca.crt'));
    await fs.copyFile(pair.cert, path.join(dir, 'tls.crt'));
    await copyPrivate(pair.key, path.join(dir, 'tls.key'));
  }
  await fs.mkdir(path.join(root, 'tlsauth'), { recursive: true, mode: 0o700 });
  await copyPrivate(certs.tlsAuthKey, path.join(root, 'tlsauth', 'vpn.tlsauth'));
}

/** `openssl req -x509` with a new P-256 key, unencrypted, written to `key`, the certificate to `cert`. */
function selfContainedRequest(key: string, cert: string): string[] {
  return [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    VALID_DAYS,
  ];
}

export async function createAuthority(dir: string, name: string): Promise<CertificateAuthority> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  await openssl([
    ...selfContainedRequest(key, cert),
    '-subj',
    `/CN=vpn-e2e-${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { name, cert, key };
}

export async function issue(
  dir: string,
  ca: CertificateAuthority,
  name: string,
  commonName: string,
  usage: 'serverAuth' | 'clientAuth',
): Promise<KeyPair> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  await openssl([
    ...selfContainedRequest(key, cert),
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:FALSE',
    '-addext',
    'keyUsage=critical,digitalSignature,keyAgreement',
    '-addext',
    `extendedKeyUsage=${usage}`,
  ]);
  return { cert, key };
}

export async function createTlsAuthKey(file: string): Promise<string> {
  const r = await run('openvpn', ['--genkey', 'tls-auth', file]);
  if (r.code !== 0) throw new Error(`openvpn --genkey tls-auth: ${(r.stderr || r.stdout).trim()}`);
  await fs.chmod(file, 0o600);
  return file;
}

async function openssl(args: string[]): Promise<void> {
  const r = await run('openssl', args);
  if (r.code !== 0) throw new Error(`openssl ${args.slice(0, 2).join(' ')}: ${r.stderr.trim()}`);
}

export async function copyPrivate(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to);
  await fs.chmod(to, 0o600);
}
