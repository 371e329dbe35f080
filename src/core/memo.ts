/**
 * A cache of values computed from a key, for what certificates repeat (OIDs, names, instants,
 * constant extensions): a bulk run computes each distinct value once. Bounded: a cache that
 * reaches `max` entries starts over, so varied or hostile input cannot grow it. Values are
 * shared between callers, which copy them (a DER part is copied into its parent) and never
 * change them.
 */
export function boundedCache<K, V>(max = 1000): (key: K, compute: (key: K) => V) => V {
  const seen = new Map<K, V>()
  return (key, compute) => {
    let v = seen.get(key)
    if (v === undefined) {
      v = compute(key)
      if (seen.size >= max) seen.clear()
      seen.set(key, v)
    }
    return v
  }
}
