/**
 * The trade-off curve of a search: candidates no other candidate beats on both counts (higher or equal score AND
 * lower or equal cost, strictly better on one). Sorted by cost, so it reads as "the best you can get for this much".
 */
export function paretoFront<T extends { score: number; cost: number }>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.score - a.score);
  const front: T[] = [];
  let best = -Infinity;
  for (const point of sorted) {
    if (point.score > best) {
      front.push(point);
      best = point.score;
    }
  }
  return front;
}
