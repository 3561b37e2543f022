/**
 * The ports of the HA design, shared by the programs that listen on them, the firewall rules that admit
 * them and the rendered OpenVPN configurations (docs/ha.md).
 */

/** UDP port of the tunnel controller in the vpn-shoot pod: probes and announcements (the reference's). */
export const ANNOUNCEMENT_PORT = 5400;
/** Readiness of the tunnel controller, `GET /readyz`. */
export const READINESS_PORT = 8080;
/** The OpenVPN client of server s listens for management commands on 127.0.0.1:(7505 + s). */
export const MANAGEMENT_HOST = '127.0.0.1';
export const MANAGEMENT_PORT_BASE = 7505;
