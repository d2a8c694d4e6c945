import { doubleArray, objectArray } from './hot-arrays.js';

/**
 * A min-heap of things due at a time: the later steps of journeys (after a think time) and the
 * next tries of polls. The send loop sleeps until the earliest of these and the next arrival.
 */
export class DelayQueue<T> {
  readonly #due = doubleArray();
  readonly #items = objectArray<T>();

  get size(): number {
    return this.#items.length;
  }

  /** When the earliest item is due (+Infinity when empty). */
  get nextDue(): number {
    return this.#due.length > 0 ? this.#due[0]! : Number.POSITIVE_INFINITY;
  }

  push(due: number, item: T): void {
    const d = this.#due;
    const it = this.#items;
    let i = d.length;
    d.push(due);
    it.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (d[parent]! <= due) break;
      d[i] = d[parent]!;
      it[i] = it[parent]!;
      i = parent;
    }
    d[i] = due;
    it[i] = item;
  }

  /** Removes and returns the earliest item. Call only when size > 0. */
  pop(): T {
    const d = this.#due;
    const it = this.#items;
    const top = it[0]!;
    const lastDue = d.pop()!;
    const lastItem = it.pop()!;
    const n = d.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && d[r]! < d[l]! ? r : l;
        if (d[c]! >= lastDue) break;
        d[i] = d[c]!;
        it[i] = it[c]!;
        i = c;
      }
      d[i] = lastDue;
      it[i] = lastItem;
    }
    return top;
  }

  /** Empties the queue, returning what was in it. */
  drain(): T[] {
    const items = this.#items.splice(0);
    this.#due.length = 0;
    return items;
  }
}
