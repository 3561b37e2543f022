import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const PROGRAM = path.resolve(__dirname, '../src/program.js');

/** Runs `body` (JavaScript, with `runProgram` in scope) as the command of a fresh Node process. */
function runCommand(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `require(${JSON.stringify(PROGRAM)}).runProgram('legacy', async () => { ${body} });`;
  return spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
}

describe('runProgram: a long-running command that fails outside its own error handling', () => {
  it('an exception thrown by a timer ends the process with exit code 1 and one log line on stderr', () => {
    const r = runCommand(`setTimeout(() => { throw new Error('tick\\nfailed'); }, 10); await new Promise((r) => setTimeout(r, 5000));`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} error unexpected error: tick failed\n$/);
  });

  it('an unhandled rejection too', () => {
    const r = runCommand(`void Promise.reject(new Error('lost promise')); await new Promise((r) => setTimeout(r, 5000));`);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error unexpected error: lost promise\n$/);
    assert.equal(r.stderr.split('\n').length, 2);
  });
});
