export * from './family';
export * from './ip';
export * from './cidr';
export * from './reserved';
export * from './netmap';
export * from './max-routes';
export * from './ha-address-plan';
