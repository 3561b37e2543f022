/**
 * Sets `key` in `map` as its newest entry, first forgetting the oldest one when `map` already holds `max`
 * others: a Map iterates in insertion order, so the first key is the one set least recently. What the
 * shoot side keeps per sender is bounded this way, however many senders there are.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  if (map.size >= max) map.delete(map.keys().next().value as K);
  map.set(key, value);
}
