import { strict as assert } from 'node:assert';
import { parseSeedServerArgs } from '../src/cli';
import { bareCommand } from '../src/command';

describe('vpn-seed-server: command lines without the parser', () => {
  // Every line bareCommand answers must mean what yargs makes of it: the images start these without yargs.
  for (const argv of [[], ['setup'], ['readiness'], ['liveness'], ['exporter']]) {
    it(`${JSON.stringify(argv)} is what the parser makes of it`, () => {
      assert.deepEqual(bareCommand(argv), parseSeedServerArgs(argv));
    });
  }

  it('leaves flags, help, unknown words and hook lines to the parser', () => {
    for (const argv of [
      ['--help'],
      ['--version'],
      ['readiness', '--enable-pprof'],
      ['banana'],
      ['firewall', '--mode', 'up'],
      ['--config-file', 'x'],
    ]) {
      assert.equal(bareCommand(argv), undefined, JSON.stringify(argv));
    }
  });
});
