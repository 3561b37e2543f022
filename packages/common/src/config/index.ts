export * from './go-syntax';
export * from './env-reader';
export * from './shared';
export * from './server-settings';
export * from './client-settings';
export * from './path-controller-settings';
export * from './tunnel-controller-settings';
