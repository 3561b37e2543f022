/**
 * Our log lines share the container's stdout with OpenVPN, and Gardener's log pipeline parses each
 * container by OpenVPN's timestamp format: `YYYY-MM-DD HH:MM:SS` for vpn-seed-server, the legacy
 * `Www Mmm dd HH:MM:SS YYYY` for vpn-shoot. Every line therefore starts with the container's format,
 * then the level, the message and key=value fields.
 */
export type TimestampStyle = 'iso' | 'legacy';
export type Level = 'debug' | 'info' | 'warn' | 'error';
export type Fields = Record<string, string | number | boolean | undefined | null>;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function formatTimestamp(style: TimestampStyle, d: Date): string {
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (style === 'iso') {
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms}`;
  }
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${pad(d.getDate())} ${hms} ${d.getFullYear()}`;
}

function formatValue(v: string | number | boolean): string {
  const s = String(v);
  return s === '' || /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

export function formatFields(fields: Fields): string {
  return Object.entries(fields)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined && e[1] !== null)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(' ');
}

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  with(fields: Fields): Logger;
}

export interface LoggerOptions {
  style: TimestampStyle;
  write?: (line: string) => void;
  now?: () => Date;
  debug?: boolean;
  base?: Fields;
}

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = opts.now ?? (() => new Date());
  const base = opts.base ?? {};
  const emit = (level: Level, msg: string, fields?: Fields): void => {
    if (level === 'debug' && !opts.debug) return;
    const f = formatFields({ ...base, ...fields });
    write(`${formatTimestamp(opts.style, now())} ${level} ${msg}${f ? ' ' + f : ''}`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    with: (fields) => createLogger({ ...opts, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything, for unit tests that do not look at logs. */
export const silentLogger: Logger = createLogger({ style: 'iso', write: () => undefined });
