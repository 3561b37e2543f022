import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { selfCommand } from '../src/self-command';

describe('vpn-seed-server: the command the OpenVPN hooks run', () => {
  let dir: string;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'seed-self-')));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const script = (name: string, firstLine: string, mode: number): string => {
    const file = path.join(dir, name);
    writeFileSync(file, `${firstLine}\nrequire('x');\n`);
    chmodSync(file, mode);
    return file;
  };

  it('is the program path alone when the file is executable and its #! line names this node (the image bundle)', () => {
    const bundle = script('vpn-seed-server.js', `#!${process.execPath}`, 0o755);
    assert.equal(selfCommand(process.execPath, bundle), bundle);
  });

  it('keeps the name it was invoked by (/bin/vpn-server), not the file a link points to', () => {
    const bundle = script('vpn-seed-server.js', `#!${process.execPath}`, 0o755);
    const link = path.join(dir, 'vpn-server');
    symlinkSync(bundle, link);
    assert.equal(selfCommand(process.execPath, link), link);
  });

  it('is <node> <file> for a launcher that needs PATH, a file that is not executable, or another interpreter', () => {
    const launcher = script('launcher', '#!/usr/bin/env node', 0o755);
    const plain = script('plain.js', `#!${process.execPath}`, 0o644);
    const other = script('other', '#!/bin/sh', 0o755);
    for (const file of [launcher, plain, other]) assert.equal(selfCommand(process.execPath, file), `${process.execPath} ${file}`);
  });

  it('refuses a path the hook line cannot carry', () => {
    const spaced = script('with space.js', '#!/usr/bin/env node', 0o755);
    assert.throws(() => selfCommand(process.execPath, spaced), /white space/);
  });
});
