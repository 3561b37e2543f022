import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../../src/errors';
import { parseClientSettings } from '../../src/config/client-settings';
import { EnvReader } from '../../src/config/env-reader';
import { parsePathControllerSettings } from '../../src/config/path-controller-settings';
import { README_ENVIRONMENT_TABLES, readmeEnvironmentSection, withEnvironmentTables } from '../../src/config/readme-environment';
import { SEED_SERVER_COMMANDS, SEED_SERVER_ENVIRONMENT } from '../../src/config/seed-server-environment';
import { parseServerSettings } from '../../src/config/server-settings';
import { SHOOT_CLIENT_COMMANDS, SHOOT_CLIENT_ENVIRONMENT } from '../../src/config/shoot-client-environment';
import { parseTunnelControllerSettings } from '../../src/config/tunnel-controller-settings';
import { environmentMarkdown, variablesOf, type EnvironmentTable } from '../../src/config/variables';

const TABLES: [string, EnvironmentTable<string>, readonly string[]][] = [
  ['vpn-seed-server', SEED_SERVER_ENVIRONMENT, SEED_SERVER_COMMANDS],
  ['vpn-shoot-client', SHOOT_CLIENT_ENVIRONMENT, SHOOT_CLIENT_COMMANDS],
];

/** Runs a parser on an env through a Proxy that records every name it reads. */
function namesRead(parse: (env: NodeJS.ProcessEnv) => unknown, env: Record<string, string>): string[] {
  const read = new Set<string>();
  parse(new Proxy(env, { get: (target, name): unknown => (typeof name === 'string' && read.add(name), Reflect.get(target, name)) }));
  return [...read];
}

describe('config: the environment tables', () => {
  for (const [program, table, commands] of TABLES) {
    it(`${program}: every default parses as its type, and only required entries lack a value`, () => {
      for (const variable of Object.values(table)) {
        if (variable.required) assert.throws(() => new EnvReader({}).value(variable), InputError, variable.name);
        else assert.doesNotThrow(() => new EnvReader({}).value(variable), variable.name);
      }
    });

    it(`${program}: names each variable once per subcommand, for subcommands that exist`, () => {
      for (const variable of Object.values(table)) {
        for (const command of variable.commands) assert.ok(commands.includes(command), `${variable.name}: ${command}`);
      }
      for (const command of commands) {
        const names = variablesOf(table, command).map((v) => v.name);
        assert.deepEqual(names, [...new Set(names)], command);
      }
    });
  }

  // Every branch that reads a variable is taken: HA, shoot client, bonding mode checked.
  const HA_CLIENT = { IS_HA: 'true', IS_SHOOT_CLIENT: 'true', POD_NAME: 'vpn-shoot-0', HA_VPN_SERVERS: '2', HA_VPN_CLIENTS: '2' };
  const readers: [string, EnvironmentTable<string>, string, (env: NodeJS.ProcessEnv) => unknown, Record<string, string>][] = [
    [
      'vpn-seed-server',
      SEED_SERVER_ENVIRONMENT,
      'root',
      parseServerSettings,
      { OPENVPN_STATUS_PATH: '/s', IS_HA: 'true', POD_NAME: 'vpn-seed-server-0', HA_VPN_CLIENTS: '2' },
    ],
    ['vpn-shoot-client', SHOOT_CLIENT_ENVIRONMENT, 'root', parseClientSettings, HA_CLIENT],
    [
      'vpn-shoot-client',
      SHOOT_CLIENT_ENVIRONMENT,
      'path-controller',
      parsePathControllerSettings,
      { POD_IP: '10.0.0.1', HA_VPN_SERVERS: '2' },
    ],
    ['vpn-shoot-client', SHOOT_CLIENT_ENVIRONMENT, 'tunnel-controller', parseTunnelControllerSettings, {}],
  ];
  for (const [program, table, command, parse, env] of readers) {
    it(`${program} ${command}: the settings parser reads no variable the table does not list for it`, () => {
      const listed = variablesOf(table, command).map((v) => v.name);
      assert.deepEqual(
        namesRead(parse, env).filter((name) => !listed.includes(name)),
        [],
      );
    });
  }
});

describe('README: configuration reference', () => {
  const readme = readFileSync(path.resolve(__dirname, '../../../../../README.md'), 'utf8');

  for (const [program, table] of Object.entries(README_ENVIRONMENT_TABLES)) {
    it(`documents exactly the variables of ${program}, with their subcommands and defaults`, () => {
      const section = readmeEnvironmentSection(readme, program);
      assert.ok(section !== undefined, `README has no generated table for ${program}`);
      const documented = section
        .split('\n')
        .slice(2)
        .map((row) => row.split(' | ').slice(0, 4).join(' | '));
      const expected = environmentMarkdown(table)
        .split('\n')
        .slice(2)
        .map((row) => row.split(' | ').slice(0, 4).join(' | '));
      assert.deepEqual(documented, expected, 'run `npm run docs:env`');
    });
  }

  it('is what `npm run docs:env` writes', () => {
    assert.equal(withEnvironmentTables(readme), readme, 'run `npm run docs:env`');
  });
});
