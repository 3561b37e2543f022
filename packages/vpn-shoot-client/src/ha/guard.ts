import { oneLine, type Logger } from '@vpn/common';

/**
 * Wraps a timer or socket callback so that an exception in one run is logged and the next run still
 * happens: a controller whose interval threw would otherwise stop probing, or crash, for one bad input.
 */
export function guarded<A extends unknown[]>(logger: Logger, what: string, task: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      task(...args);
    } catch (err) {
      logger.error(`${what} failed`, { error: oneLine(err) });
    }
  };
}
