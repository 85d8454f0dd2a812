/**
 * A Map kept in order of use: `get` moves an entry to the end, `set` beyond
 * `capacity` removes the least recently used one and returns it.
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Adds `key` as the most recent; returns the entry evicted to make room, if any. */
  set(key: K, value: V): [K, V] | undefined {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size <= this.capacity) return undefined;
    const oldest = this.entries.entries().next().value!;
    this.entries.delete(oldest[0]);
    return oldest;
  }

  /** Removes and returns every entry. */
  clear(): V[] {
    const values = [...this.entries.values()];
    this.entries.clear();
    return values;
  }
}
