/**
 * The value syntaxes of the reference's environment parser (caarlos0/env over Go's strconv and time),
 * so that every value the reference accepts is accepted here and every value it refuses is refused.
 * Each function returns undefined for invalid text; callers name the variable in the error.
 */

const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((t) => [t, true] as const),
  ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((t) => [t, false] as const),
]);

/** caarlos0/env parses `int` and `uint` fields with a 32-bit size. */
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;

/** `strconv.ParseBool` */
export function parseGoBool(text: string): boolean | undefined {
  return GO_BOOLS.get(text);
}

/** `strconv.ParseInt(text, 10, 32)`: optional sign, decimal digits. */
export function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= INT32_MIN && value <= INT32_MAX ? value : undefined;
}

/** `strconv.ParseUint(text, 10, 32)`: decimal digits only, so no sign and nothing negative. */
export function parseGoUint(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value <= UINT32_MAX ? value : undefined;
}

const NANOSECONDS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign
  μs: 1e3, // U+03BC Greek mu
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};
const DURATION_COMPONENT = /(\d+\.?\d*|\.\d+)([^\d.]+)/y;
const MAX_DURATION_NS = 2 ** 63 - 1;

/**
 * `time.ParseDuration`, in milliseconds: an optional sign, then `0` or one or more number+unit components
 * (`2s`, `-1.5h`, `1h30m`, `.5s`, `1.s`). Units: ns, us, µs, μs, ms, s, m, h. At most about 292 years.
 */
export function parseGoDuration(text: string): number | undefined {
  const sign = text.startsWith('-') ? -1 : 1;
  const body = /^[+-]/.test(text) ? text.slice(1) : text;
  if (body === '0') return 0;
  if (body === '') return undefined;
  let nanoseconds = 0;
  DURATION_COMPONENT.lastIndex = 0;
  while (DURATION_COMPONENT.lastIndex < body.length) {
    const match = DURATION_COMPONENT.exec(body);
    if (match === null) return undefined;
    const unit = NANOSECONDS_PER_UNIT[match[2]];
    if (unit === undefined) return undefined;
    nanoseconds += Number(match[1]) * unit;
  }
  if (nanoseconds > MAX_DURATION_NS) return undefined;
  return (sign * nanoseconds) / 1e6;
}
