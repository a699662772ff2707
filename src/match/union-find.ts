/** Disjoint sets over string keys, for grouping links into campaigns in memory (small, per change). */
export class UnionFind {
  readonly #parent = new Map<string, string>();

  find(x: string): string {
    let root = this.#parent.get(x);
    if (root === undefined) {
      this.#parent.set(x, x);
      return x;
    }
    if (root === x) return x;
    root = this.find(root);
    this.#parent.set(x, root);
    return root;
  }

  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.#parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }

  /** Groups of every key seen, each group's keys in insertion order. */
  groups(): string[][] {
    const out = new Map<string, string[]>();
    for (const key of this.#parent.keys()) {
      const r = this.find(key);
      let g = out.get(r);
      if (!g) out.set(r, (g = []));
      g.push(key);
    }
    return [...out.values()];
  }
}
