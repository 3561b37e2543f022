import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MAX_OPTION_LINE_BYTES, joinOptionLines } from '../../src/openvpn/option-lines';

describe('openvpn option line limit', () => {
  it('joins lines with \\n and accepts a line of exactly the limit', () => {
    const longest = 'x'.repeat(MAX_OPTION_LINE_BYTES);
    assert.equal(joinOptionLines('f', ['', 'a', longest, '']), `\na\n${longest}\n`);
  });

  it('counts bytes, not characters, and names file, line number and the line start', () => {
    const line = `# ${'é'.repeat(127)}`;
    assert.throws(() => joinOptionLines('ccd x', ['ok', line]), {
      message: `ccd x line 2 is 256 bytes, OpenVPN accepts at most 254: ${line.slice(0, 80)}...`,
    });
  });

  it('matches the installed openvpn: 254 bytes plus newline load, 255 are rejected', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'option-lines-'));
    try {
      const parse = (length: number): string => {
        const file = path.join(dir, `${length}.conf`);
        writeFileSync(file, `# ${'a'.repeat(length - 2)}\nno-such-option\n`);
        return spawnSync('openvpn', ['--config', file], { encoding: 'utf8', timeout: 10_000 }).stdout;
      };
      assert.match(parse(MAX_OPTION_LINE_BYTES), /Unrecognized option .*:2: no-such-option/);
      assert.match(parse(MAX_OPTION_LINE_BYTES + 1), /:1: Maximum option line length \(256\) exceeded/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
