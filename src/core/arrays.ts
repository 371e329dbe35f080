/**
 * Array helpers that never spread an array into a call: `f(...items)` passes every element
 * as an argument on the stack, and about 120,000 of them overflow it (a JWKS of 130,000 keys
 * ended in "Maximum call stack size exceeded"). test/structure/no-spread-calls.test.ts keeps
 * src free of such calls.
 */

/** Appends every item to `target` (in place) and returns it. */
export function pushAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item)
  return target
}

/** Returns the largest of `values`, or `empty` when there is none. */
export function maxOf(values: Iterable<number>, empty = Number.NEGATIVE_INFINITY): number {
  let best: number | undefined
  for (const v of values) if (best === undefined || v > best) best = v
  return best ?? empty
}

/** Returns the smallest of `values`, or `empty` when there is none. */
export function minOf(values: Iterable<number>, empty = Number.POSITIVE_INFINITY): number {
  let best: number | undefined
  for (const v of values) if (best === undefined || v < best) best = v
  return best ?? empty
}
