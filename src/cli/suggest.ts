/** Returns the edit distance between two strings (insert, delete, substitute, swap of neighbours). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({length: a.length + 1}, (_, i) => [i, ...Array<number>(b.length).fill(0)])
  for (let j = 1; j <= b.length; j++) d[0][j] = j
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
    }
  }
  return d[a.length][b.length]
}

/**
 * Returns the candidate closest to `typed` when it is close enough to be a typo (at most
 * max(2, a third of the length) edits away), else undefined.
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: {value: string; distance: number} | undefined
  for (const value of candidates) {
    const distance = editDistance(typed, value)
    if (!best || distance < best.distance) best = {value, distance}
  }
  const limit = Math.max(2, Math.floor(typed.length / 3))
  return best && best.distance <= limit ? best.value : undefined
}
