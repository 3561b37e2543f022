export * from './errors';
export * from './log';
export * from './system/atomic-file';
export * from './system/exec';
