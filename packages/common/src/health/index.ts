export * from './probes';
export * from './check';
