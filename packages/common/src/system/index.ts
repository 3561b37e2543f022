export * from './atomic-file';
export * from './exec';
export * from './sysctl';
export * from './mtu';
export * from './tunnel-device';
export * from './tap-devices';
