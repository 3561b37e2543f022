import { strict as assert } from 'node:assert';
import { InputError } from '../../src/errors';

/** Asserts that `parse` fails with an InputError naming `variable` whose message contains every fragment. */
export function expectInputError(parse: () => unknown, variable: string, ...fragments: string[]): void {
  assert.throws(parse, (err: unknown) => {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    assert.equal(err.input, variable);
    assert.ok(err.message.startsWith(`${variable}: `), err.message);
    for (const fragment of fragments) assert.ok(err.message.includes(fragment), `"${err.message}" lacks "${fragment}"`);
    return true;
  });
}
