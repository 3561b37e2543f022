/**
 * Timings and ports of the HA controllers; docs/measurements.md ("HA failover") has what they give.
 */

/** The path controller probes every path, and announces over every healthy one, this often. */
export const PROBE_INTERVAL_MS = 100;
/** Consecutive unanswered probes that make a path dead. */
export const DEAD_AFTER_MISSES = 3;
/**
 * A path that was silent and then answered (an echo came after its probe had been counted missed) within the
 * last PATIENCE_MS is lossy, not broken: TCP on the shoot's leg holds everything behind a lost segment until
 * it is retransmitted, 0.2 s and more, doubling with each lost retransmission. Such a path dies only after
 * PATIENT_DEAD_AFTER_MISSES misses. A server that fails is found without probes (its OpenVPN client's state,
 * SEED_LEG_CHECK_MS), so patience slows only failures beyond the server on a path that was already lossy.
 */
export const PATIENT_DEAD_AFTER_MISSES = 20;
export const PATIENCE_MS = 60_000;
/** Consecutive answered probes that make a path alive. */
export const ALIVE_AFTER_REPLIES = 2;
/** On a dead path the peer's neighbour entry is deleted at the DEAD_AFTER_MISSES-th miss and every this many after. */
export const NEIGHBOUR_FLUSH_EVERY_MISSES = 10;

/**
 * How long a probe may wait for its echo. The shoot is reached over the internet, so the round trip may be
 * far above the probe interval: the timeout follows the measured round trip as TCP's retransmission
 * timeout does (RFC 6298: smoothed RTT + max(MARGIN, 4 × variation)), but never below one interval (the
 * lab's "no answer by the next probe") nor above MAX. Before the first echo it is INITIAL.
 */
export const PROBE_TIMEOUT_MIN_MS = PROBE_INTERVAL_MS;
export const PROBE_TIMEOUT_MARGIN_MS = 20;
export const PROBE_TIMEOUT_INITIAL_MS = 1000;
export const PROBE_TIMEOUT_MAX_MS = 2000;

/**
 * A probe on the active path still without echo this long after it went out: the path controller asks the
 * kernel whether the server has acknowledged anything on this pod's TCP connection to it since (the seed leg,
 * inside the seed cluster). The server pod's kernel acknowledges within its delayed-ACK time, at most
 * SEED_DELAYED_ACK_MS while the round trip is below it (Linux), plus a round trip; nothing acknowledged since
 * the probe went out while data waits for it means the server is unreachable (a black hole), and its paths
 * die now instead of after DEAD_AFTER_MISSES probes. Loss between the server and the shoot (the internet leg)
 * leaves the seed leg acknowledged, so it still takes the probes' verdict.
 */
export const SEED_LEG_CHECK_MS = 70;
export const SEED_DELAYED_ACK_MS = 40;
/** The kernel reports the time since the last ACK in its own ticks (1–10 ms): the margin against rounding. */
export const KERNEL_CLOCK_SLACK_MS = 10;

/**
 * Both controllers look for tap devices (appeared, vanished, recreated with a new ifindex) whenever the kernel
 * reports a link change, and this often in case a report was lost (TapMonitor.follow).
 */
export const TAP_RESYNC_INTERVAL_MS = 5000;
/** Without the kernel's link reports, the taps are listed this often instead. */
export const TAP_POLL_INTERVAL_MS = 500;

/** Silence on the path the seed marks active after which the tunnel controller falls back to the freshest path. */
export const ACTIVE_SILENCE_MS = 1000;
/** A seed pod not heard from on any path for this long loses its return route (the reference's 10 min). */
export const RETURN_ROUTE_EXPIRY_MS = 10 * 60 * 1000;
/** The tunnel controller re-evaluates silence, expiry and failed route installs this often. */
export const RETURN_ROUTE_SWEEP_MS = 100;

/**
 * A stopping tunnel controller answers probes as "leaving" this long before it exits: ten probe rounds, so
 * every path controller hears it even under loss. The pod's OpenVPN client containers outlive it (preStop).
 */
export const LEAVING_MS = 1000;

/** One watchdog event per server and interval: a failure when no announcement came through its tap (reference: 4 s). */
export const WATCHDOG_INTERVAL_MS = 4000;
/** The path controller retries a client's management interface this often while it is unreachable. */
export const SERVER_WATCH_RETRY_MS = 500;
/** Connect and command timeout of OpenVPN's management interface. */
export const MANAGEMENT_TIMEOUT_MS = 2000;

export { ANNOUNCEMENT_PORT, MANAGEMENT_HOST, MANAGEMENT_PORT_BASE, READINESS_PORT } from '@vpn/common';

/**
 * A seed pod's return route follows the path controller instance it hears. Another instance announcing the
 * same pod IP (the controller restarted, or a new pod reuses the IP) takes over only after the current one has
 * been silent this long: instances are ordered by silence, never by a clock or a counter they send.
 */
export const INSTANCE_TAKEOVER_MS = 1000;

/** Both controllers compare their routes with the kernel's this often and put back what someone removed. */
export const ROUTE_VERIFY_INTERVAL_MS = 2000;
/** The tunnel controller looks up ENDPOINT's addresses (refused as pod IPs) this often. */
export const ENDPOINT_REFRESH_MS = 30_000;

/**
 * A probe tick later than this after the previous one means the path controller's own event loop was blocked;
 * that tick declares no probe lost (path-controller.ts). Two and a half intervals: Node's timers drift by
 * milliseconds, not by whole intervals, on a loaded node.
 */
export const STALL_AFTER_MS = 250;
