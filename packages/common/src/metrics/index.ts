export * from './exporter-server';
export * from './exporter-metrics';
export * from './netstat';
