export * from './rule';
export * from './backend';
export * from './engine';
export { ENVOY_GROUP_ID } from './rule-blocks';
export * from './seed-server-rules';
export * from './vpn-client-rules';
