import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SHOOT_CLIENT_COMMANDS, SHOOT_CLIENT_ENVIRONMENT, variablesOf } from '@vpn/common';
import {
  assertRejected as assertRejectedAs,
  LEGACY_TIMESTAMP,
  runCli as runLauncher,
  type CliResult,
} from '@vpn/common/dist/test/support/cli';

const LAUNCHER = path.resolve(__dirname, '../../bin/vpn-shoot-client');
const runCli = (args: string[], env: Record<string, string>): CliResult => runLauncher(LAUNCHER, args, env);
const assertRejected = (r: CliResult, input: string): void => assertRejectedAs(r, input, LEGACY_TIMESTAMP);

describe('vpn-shoot-client: invalid input', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'shoot-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const shoot = { IS_SHOOT_CLIENT: 'true', ENDPOINT: 'api.example.com', SEED_POD_NETWORK: '10.96.0.0/11' };
  const cases: [string, Record<string, string>][] = [
    ['IP_FAMILIES', { IP_FAMILIES: 'IPv4,IPv6,IPv4' }],
    ['IP_FAMILIES', { IP_FAMILIES: 'ipv4' }],
    ['OPENVPN_PORT', { OPENVPN_PORT: '-1' }],
    ['VPN_NETWORK', { VPN_NETWORK: 'fd8f:6d53:b97a:1::/120' }],
    ['SEED_POD_NETWORK', { SEED_POD_NETWORK: '10.96.0.0/11,10.0.0.0/8' }],
    ['SHOOT_SERVICE_NETWORKS', { SHOOT_SERVICE_NETWORKS: '100.64.0.0/13,' }],
    ['SHOOT_POD_NETWORKS', { SHOOT_POD_NETWORKS: ' 100.96.0.0/11' }],
    ['SHOOT_NODE_NETWORKS', { SHOOT_NODE_NETWORKS: '10.250.0.300/16' }],
    ['IS_SHOOT_CLIENT', { IS_SHOOT_CLIENT: 'maybe' }],
    ['IS_HA', { IS_HA: 'yes' }],
    ['POD_NAME', { IS_HA: 'true', HA_VPN_SERVERS: '2', HA_VPN_CLIENTS: '2' }],
    ['HA_VPN_CLIENTS', { IS_HA: 'true', POD_NAME: 'vpn-shoot-0', HA_VPN_SERVERS: '2' }],
    ['HA_VPN_SERVERS', { IS_HA: 'true', POD_NAME: 'vpn-shoot-0', HA_VPN_CLIENTS: '2' }],
    ['BONDING_MODE', { IS_HA: 'true', POD_NAME: 'vpn-shoot-0', BONDING_MODE: 'broadcast' }],
    ['WAIT_TIME', { WAIT_TIME: '-1s' }],
    ['WAIT_TIME', { WAIT_TIME: '2 seconds' }],
    ['VPN_SERVER_INDEX', { VPN_SERVER_INDEX: 'one' }],
    ['OPENVPN_AUTO_MTU', { OPENVPN_AUTO_MTU: 'on' }],
  ];
  for (const [input, env] of cases) {
    it(`root: ${input}=${JSON.stringify(Object.values(env)[0])} exits 1 naming it and writes nothing`, () => {
      assertRejected(runCli(['--config-file', path.join(dir, 'client.conf'), '--secrets-dir', dir], { ...shoot, ...env }), input);
      assert.deepEqual(readdirSync(dir), []);
    });
  }

  it('setup: environment errors exit 1 naming the variable', () => {
    assertRejected(runCli(['setup'], { ...shoot, IP_FAMILIES: 'IPv5' }), 'IP_FAMILIES');
  });

  it('unknown commands and flags exit 1 naming them', () => {
    assertRejected(runCli(['bogus'], shoot), 'bogus');
    assertRejected(runCli(['--bogus-flag'], shoot), 'bogus-flag');
  });
});

describe('vpn-shoot-client --help', () => {
  it('lists every subcommand, path flag and environment variable', () => {
    const r = runCli(['--help'], {});
    assert.equal(r.status, 0);
    for (const word of ['setup', 'path-controller', 'tunnel-controller', '--config-file', '--secrets-dir'])
      assert.ok(r.stdout.includes(word), word);
    for (const { name } of Object.values(SHOOT_CLIENT_ENVIRONMENT)) assert.ok(r.stdout.includes(`  ${name} `), name);
  });

  for (const command of SHOOT_CLIENT_COMMANDS.filter((c) => c !== 'root')) {
    it(`${command} --help lists exactly the variables the table gives it`, () => {
      const r = runCli([command, '--help'], {});
      assert.equal(r.status, 0);
      assert.deepEqual(
        environmentNames(r.stdout),
        variablesOf(SHOOT_CLIENT_ENVIRONMENT, command).map((v) => v.name),
      );
    });
  }
});

/** The variable names of the help's environment section (`  NAME  type, default`). */
function environmentNames(help: string): string[] {
  return [...help.slice(help.indexOf('Environment of')).matchAll(/^ {2}([A-Z][A-Z0-9_]*) /gm)].map((m) => m[1]);
}
