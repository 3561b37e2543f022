import { strict as assert } from 'node:assert';
import { parseShootClientArgs } from '../src/cli';
import { bareCommand } from '../src/command';

describe('vpn-shoot-client: command lines without the parser', () => {
  // Every line bareCommand answers must mean what yargs makes of it: the images start these without yargs.
  for (const argv of [[], ['setup'], ['path-controller'], ['tunnel-controller'], ['connect-relay']]) {
    it(`${JSON.stringify(argv)} is what the parser makes of it`, () => {
      assert.deepEqual(bareCommand(argv), parseShootClientArgs(argv));
    });
  }

  it('leaves flags, help and unknown words to the parser', () => {
    for (const argv of [['--help'], ['--version'], ['path-controller', '--enable-pprof'], ['banana'], ['--config-file', 'x']]) {
      assert.equal(bareCommand(argv), undefined, JSON.stringify(argv));
    }
  });
});
