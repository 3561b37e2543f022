/**
 * The programs in this folder run as child processes inside lab namespaces. Each takes its whole
 * configuration as one JSON argument and writes timestamped lines to stdout (the supervisor's log file).
 */
export function programArgument<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error(`usage: node ${process.argv[1]} '<json config>'`);
  return JSON.parse(raw) as T;
}

export function say(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) -> `10.0.0.1`. */
export function unmapped(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
