import { strict as assert } from 'node:assert';
import { parseGoBool, parseGoDuration, parseGoInt, parseGoUint } from '../../src/config/go-syntax';

describe('config: Go value syntax', () => {
  it('bool: exactly strconv.ParseBool', () => {
    for (const t of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(t), true, t);
    for (const f of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(f), false, f);
    for (const bad of ['banana', 'yes', 'tRUE', ' true', 'true ', '2']) assert.equal(parseGoBool(bad), undefined, bad);
  });

  it('int: signed decimal within 32 bits', () => {
    const cases: [string, number | undefined][] = [
      ['0', 0],
      ['42', 42],
      ['-3', -3],
      ['+7', 7],
      ['007', 7],
      ['2147483647', 2147483647],
      ['-2147483648', -2147483648],
      ['2147483648', undefined],
      ['1.5', undefined],
      ['0x10', undefined],
      [' 1', undefined],
      ['1_000', undefined],
      ['x', undefined],
    ];
    for (const [text, expected] of cases) assert.equal(parseGoInt(text), expected, text);
  });

  it('uint: refuses negative and non-numeric values', () => {
    const cases: [string, number | undefined][] = [
      ['0', 0],
      ['8132', 8132],
      ['4294967295', 4294967295],
      ['-1', undefined],
      ['+1', undefined],
      ['4294967296', undefined],
      ['abc', undefined],
      ['1e3', undefined],
    ];
    for (const [text, expected] of cases) assert.equal(parseGoUint(text), expected, text);
  });

  it('duration: time.ParseDuration syntax, in milliseconds', () => {
    const cases: [string, number | undefined][] = [
      ['2s', 2000],
      ['-1s', -1000],
      ['+1s', 1000],
      ['0', 0],
      ['-0', 0],
      ['500ms', 500],
      ['1m30s', 90000],
      ['1.5h', 5400000],
      ['.5s', 500],
      ['1.s', 1000],
      ['1000us', 1],
      ['1000µs', 1],
      ['1000μs', 1],
      ['2000000ns', 2],
      ['1h2m3s4ms', 3723004],
      ['', undefined],
      ['2', undefined],
      ['00', undefined],
      ['s', undefined],
      ['.s', undefined],
      ['2 s', undefined],
      ['2S', undefined],
      ['1sm', undefined],
      ['1.5.5s', undefined],
      ['--1s', undefined],
      ['2d', undefined],
      ['3000000h', undefined],
    ];
    for (const [text, expected] of cases) assert.equal(parseGoDuration(text), expected, text);
  });
});
