import { createLogger, type Logger } from '@vpn/common';

/** A debug-level logger keeping its lines (without timestamps) for assertions. */
export function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = createLogger({ style: 'iso', debug: true, write: (line) => lines.push(line.replace(/^\S+ \S+ /, '')) });
  return { logger, lines };
}
