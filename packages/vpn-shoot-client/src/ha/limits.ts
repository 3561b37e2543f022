/**
 * Bounds on what the shoot side can be made to hold or do by datagrams arriving on UDP 5400. The firewall
 * already admits only datagrams from a seed client's address through that server's tap; these bounds keep
 * the tunnel controller's memory and route table finite even if that admission were ever wider than meant.
 */

/**
 * Seed pods (kube-apiserver pods) with a return route at once. A shoot's control plane runs a handful of
 * kube-apiserver replicas; 256 leaves room for autoscaling and rolling updates (old and new pods overlap).
 */
export const MAX_RETURN_ROUTES = 256;

/**
 * A full table makes room only by forgetting a pod silent for this long; a live path controller announces
 * every probe interval, so no flood of new pod IPs can displace a seed pod that is still speaking.
 */
export const EVICTABLE_AFTER_MS = 5_000;

/**
 * Datagrams per second accepted from one sender (a seed client's address on one tap), and the burst. A path
 * controller sends one per probe interval (10/s) to each shoot client over each path: twice that is headroom
 * for a restarted controller overlapping its predecessor.
 */
export const SENDER_RATE_PER_SECOND = 20;
export const SENDER_BURST = 40;

/** Senders whose rate is tracked; beyond that the least recently heard is forgotten. */
export const MAX_TRACKED_SENDERS = 1024;
