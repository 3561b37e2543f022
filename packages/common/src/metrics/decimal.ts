const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/**
 * A decimal number as the kernel and OpenVPN print it, as exposition text: an integer digit for digit (their
 * counters are 64-bit, a JavaScript number is exact only up to 2^53), anything else as the nearest double.
 * Undefined for text that is no decimal number (Number('') would be 0).
 */
export function decimalSampleValue(text: string): string | undefined {
  if (INTEGER.test(text)) return BigInt(text).toString();
  if (!DECIMAL.test(text)) return undefined;
  const value = Number(text);
  if (Number.isFinite(value)) return String(value);
  return value > 0 ? '+Inf' : '-Inf';
}
