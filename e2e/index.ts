/**
 * The end-to-end lab (network namespaces, real OpenVPN, this repository's programs) as a library, for
 * the demo and for benchmarks that need a running tunnel.
 */
export type { IpFamily } from '@vpn/common';
export { addressPlan, type AddressPlan, type LabSpec } from './lib/address-plan';
export { createCertificates, writeSecrets, type Certificates, type SecretsVariant } from './lib/certs';
export { TunnelLab, type ClientStart, type LabOptions, type Reach, type TunnelUp } from './lib/lab';
export { firstSuccess, longestGap, parsePingReplies, seconds } from './lib/measurement';
export { formatReachTable, reachableWithTunnel, unexpected } from './lib/reach-table';
