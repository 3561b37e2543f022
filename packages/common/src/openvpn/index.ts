export * from './values';
export { MAX_OPTION_LINE_BYTES } from './option-lines';
export * from './server-config';
export * from './ccd';
export * from './client-config';
export * from './management';
export * from './status';
export * from './status-file';
