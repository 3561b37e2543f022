import { strict as assert } from 'node:assert';
import { EnvReader } from '../../src/config/env-reader';
import { Cidr } from '../../src/net/cidr';
import { expectInputError } from './expect-input-error';

describe('config: EnvReader', () => {
  it('treats set-but-empty as unset', () => {
    const read = new EnvReader({ A: '', B: 'x' });
    assert.equal(read.raw('A'), undefined);
    assert.equal(read.string('A', 'default'), 'default');
    assert.equal(read.string('B', 'default'), 'x');
    assert.equal(read.bool('A', true), true);
    assert.equal(read.duration('A', 2000), 2000);
    assert.deepEqual(read.stringList('A', ['IPv4']), ['IPv4']);
    assert.equal(read.cidr('A'), undefined);
    expectInputError(() => read.value({ name: 'A', type: 'string', required: true, description: '' }), 'A', 'must be set');
  });

  it('splits lists on "," without trimming', () => {
    const read = new EnvReader({ L: 'a, b ,c', N: '100.97.0.0/11,10.1.0.1/30' });
    assert.deepEqual(read.stringList('L', []), ['a', ' b ', 'c']);
    assert.deepEqual(read.cidrList('N', []).map(String), ['100.96.0.0/11', '10.1.0.0/30']);
  });

  it('falls back to the default list', () => {
    const fallback = [Cidr.parse('100.64.0.0/13')];
    assert.deepEqual(new EnvReader({}).cidrList('N', fallback).map(String), ['100.64.0.0/13']);
  });

  it('names the variable and the element of a bad CIDR list', () => {
    const read = new EnvReader({ N: '100.96.0.0/11, 100.97.0.0/11 , 100.98.0.0/11', T: '100.96.0.0/11,', X: '100.96.0.0/11,banana' });
    expectInputError(() => read.cidrList('N', []), 'N', 'invalid CIDR " 100.97.0.0/11 " (lists are split on "," without trimming)');
    expectInputError(() => read.cidrList('T', []), 'T', 'invalid CIDR ""');
    expectInputError(() => read.cidrList('X', []), 'X', 'invalid CIDR "banana"');
  });

  it('refuses a list where one CIDR is expected', () => {
    expectInputError(() => new EnvReader({ S: '10.0.0.0/8,11.0.0.0/8' }).cidr('S'), 'S', 'expected one CIDR', '10.0.0.0/8,11.0.0.0/8');
  });

  it('normalises a single CIDR', () => {
    assert.equal(new EnvReader({ S: '10.96.1.2/11' }).cidr('S')?.toString(), '10.96.0.0/11');
  });

  it('quotes bad scalar values', () => {
    const read = new EnvReader({ B: 'banana', I: 'x', U: '-1', D: '2 s', P: '10.0.0' });
    expectInputError(() => read.bool('B'), 'B', '"banana"');
    expectInputError(() => read.int('I', 0), 'I', '"x"');
    expectInputError(() => read.uint('U', 0), 'U', '"-1"');
    expectInputError(() => read.duration('D', 0), 'D', '"2 s"');
    expectInputError(() => read.ip('P'), 'P', '"10.0.0"');
  });

  it('reads a table entry by its type, parsing its default like a set value', () => {
    const read = new EnvReader({ N: '10.1.0.1/30', E: 'b' });
    assert.deepEqual(read.value({ name: 'N', type: 'cidr list', default: '', description: '' }).map(String), ['10.1.0.0/30']);
    assert.deepEqual(read.value({ name: 'M', type: 'cidr list', default: '100.97.0.0/11,10.0.0.0/8', description: '' }).map(String), [
      '100.96.0.0/11',
      '10.0.0.0/8',
    ]);
    assert.deepEqual(read.value({ name: 'M', type: 'list', default: '', description: '' }), []);
    assert.equal(read.value({ name: 'M', type: 'duration', default: '1m30s', description: '' }), 90_000);
    assert.equal(read.value({ name: 'M', type: 'ip', description: '' }), undefined);
    assert.equal(read.value({ name: 'E', type: 'enum', choices: ['a', 'b'], default: 'a', description: '' }), 'b');
    expectInputError(
      () => read.value({ name: 'E', type: 'enum', choices: ['a', 'c'], default: 'a', description: '' }),
      'E',
      'must be one of a, c, got "b"',
    );
  });
});
