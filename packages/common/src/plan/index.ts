export * from './shoot-routes';
export * from './netmap-pairs';
export * from './server-plan';
export * from './client-plan';
export * from './path-controller-plan';
