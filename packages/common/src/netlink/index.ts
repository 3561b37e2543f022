export { Netlink, withNetlink, describeRoute, type NetlinkOptions } from './netlink';
export { NetlinkError, LinkNotFoundError } from './errors';
export { nextHopAddress } from './types';
export { LinkEvents } from './link-events';
export { TcpDiag, describeConnection, type TcpConnectionId, type TcpEndpoint, type TcpProgress } from './tcp-diag';
export type {
  AddressFlag,
  DeviceRouteSpec,
  InterfaceAddress,
  IpVersion,
  Link,
  MultipathRouteSpec,
  NextHop,
  Route,
  RouteKind,
  RouteProtocol,
  RouteSpec,
  Scope,
  Via,
} from './types';
