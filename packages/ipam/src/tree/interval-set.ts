import { isBuggyIpv4, nextUsable, prevUsable } from '../config/addresses.js';

/** An AVL node: one maximal run of taken addresses `start..end`. */
interface Node {
  start: bigint;
  end: bigint;
  left: Node | undefined;
  right: Node | undefined;
  height: number;
}

/**
 * A set of taken addresses stored as maximal runs in a balanced (AVL) tree keyed by run start. Add, delete,
 * membership and "first free address from here" are O(log r) in the number of runs r, and memory is
 * proportional to r, never to the size of the address space.
 *
 * With `skipBuggy` (an IPv4 pool under `avoidBuggyIPs`), .0 and .255 are never taken and runs are joined
 * across them, so the first-free search never stops on an address it may not hand out.
 */
export class IntervalSet {
  private root: Node | undefined;
  private runs = 0;
  // A number, not a bigint: it moves by one per add or delete, so it stays exact (< 2^53), and a bigint
  // increment allocates.
  private members = 0;
  readonly skipBuggy: boolean;

  constructor(skipBuggy = false) {
    this.skipBuggy = skipBuggy;
  }

  /** Number of runs (tree nodes). */
  get runCount(): number {
    return this.runs;
  }

  /** Height of the tree (AVL: at most about 1.44 log2(runs + 2)). */
  get depth(): number {
    return h(this.root);
  }

  /** Number of taken addresses. */
  get size(): bigint {
    return BigInt(this.members);
  }

  /** True when `x` is taken. */
  has(x: bigint): boolean {
    const run = this.floor(x);
    if (run === undefined || run.end < x) return false;
    return !(this.skipBuggy && isBuggyIpv4(x));
  }

  /** Marks `x` taken; returns false when it already was (or is a skipped .0/.255). */
  add(x: bigint): boolean {
    if (this.skipBuggy && isBuggyIpv4(x)) return false;
    const l = this.floor(x);
    if (l !== undefined && l.end >= x) return false;
    const r = this.higher(x);
    const joinL = l !== undefined && nextUsable(l.end + 1n, this.skipBuggy) >= x;
    const joinR = r !== undefined && nextUsable(x + 1n, this.skipBuggy) >= r.start;
    if (joinL && joinR) {
      const end = r.end;
      this.root = remove(this.root, r.start);
      this.runs--;
      l.end = end;
    } else if (joinL) {
      l.end = x;
    } else if (joinR) {
      const end = r.end;
      this.root = remove(this.root, r.start);
      this.root = insert(this.root, x, end);
    } else {
      this.root = insert(this.root, x, x);
      this.runs++;
    }
    this.members++;
    return true;
  }

  /** Frees `x`; returns false when it was not taken. */
  delete(x: bigint): boolean {
    if (!this.has(x)) return false;
    const run = this.floor(x) as Node;
    const leftEnd = prevUsable(x - 1n, this.skipBuggy);
    const rightStart = nextUsable(x + 1n, this.skipBuggy);
    const hasLeft = leftEnd >= run.start;
    const hasRight = rightStart <= run.end;
    if (!hasLeft && !hasRight) {
      this.root = remove(this.root, run.start);
      this.runs--;
    } else if (!hasLeft) {
      const end = run.end;
      this.root = remove(this.root, run.start);
      this.root = insert(this.root, rightStart, end);
    } else if (!hasRight) {
      run.end = leftEnd;
    } else {
      const end = run.end;
      run.end = leftEnd;
      this.root = insert(this.root, rightStart, end);
      this.runs++;
    }
    this.members--;
    return true;
  }

  /**
   * The lowest address in `from..to` that is free, skipping .0/.255 under `skipBuggy`; addresses in `ignore`
   * count as free (the caller's own addresses when re-deciding). Undefined when there is none.
   */
  firstFree(from: bigint, to: bigint, ignore?: readonly bigint[]): bigint | undefined {
    let c = nextUsable(from, this.skipBuggy);
    for (;;) {
      if (c > to) return undefined;
      const run = this.floor(c);
      if (run === undefined || run.end < c) return c;
      if (ignore !== undefined) {
        let best: bigint | undefined;
        for (const v of ignore) {
          if (
            v >= c &&
            v <= run.end &&
            v <= to &&
            (best === undefined || v < best) &&
            !(this.skipBuggy && isBuggyIpv4(v))
          )
            best = v;
        }
        if (best !== undefined) return best;
      }
      c = nextUsable(run.end + 1n, this.skipBuggy);
    }
  }

  /** Runs in address order (for tests and debugging). */
  toArray(): Array<[bigint, bigint]> {
    const out: Array<[bigint, bigint]> = [];
    const walk = (n: Node | undefined): void => {
      if (n === undefined) return;
      walk(n.left);
      out.push([n.start, n.end]);
      walk(n.right);
    };
    walk(this.root);
    return out;
  }

  /** The run with the largest start <= x. */
  private floor(x: bigint): Node | undefined {
    let n = this.root;
    let best: Node | undefined;
    while (n !== undefined) {
      if (n.start <= x) {
        best = n;
        n = n.right;
      } else {
        n = n.left;
      }
    }
    return best;
  }

  /** The run with the smallest start > x. */
  private higher(x: bigint): Node | undefined {
    let n = this.root;
    let best: Node | undefined;
    while (n !== undefined) {
      if (n.start > x) {
        best = n;
        n = n.left;
      } else {
        n = n.right;
      }
    }
    return best;
  }
}

function h(n: Node | undefined): number {
  return n === undefined ? 0 : n.height;
}

function fix(n: Node): void {
  const a = h(n.left);
  const b = h(n.right);
  n.height = (a > b ? a : b) + 1;
}

function rotateRight(n: Node): Node {
  const l = n.left as Node;
  n.left = l.right;
  l.right = n;
  fix(n);
  fix(l);
  return l;
}

function rotateLeft(n: Node): Node {
  const r = n.right as Node;
  n.right = r.left;
  r.left = n;
  fix(n);
  fix(r);
  return r;
}

function balance(n: Node): Node {
  fix(n);
  const bf = h(n.left) - h(n.right);
  if (bf > 1) {
    const l = n.left as Node;
    if (h(l.left) < h(l.right)) n.left = rotateLeft(l);
    return rotateRight(n);
  }
  if (bf < -1) {
    const r = n.right as Node;
    if (h(r.right) < h(r.left)) n.right = rotateRight(r);
    return rotateLeft(n);
  }
  return n;
}

function insert(n: Node | undefined, start: bigint, end: bigint): Node {
  if (n === undefined) return { start, end, left: undefined, right: undefined, height: 1 };
  if (start < n.start) n.left = insert(n.left, start, end);
  else n.right = insert(n.right, start, end);
  return balance(n);
}

function remove(n: Node | undefined, start: bigint): Node | undefined {
  if (n === undefined) return undefined;
  if (start < n.start) n.left = remove(n.left, start);
  else if (start > n.start) n.right = remove(n.right, start);
  else {
    if (n.left === undefined) return n.right;
    if (n.right === undefined) return n.left;
    let m = n.right;
    while (m.left !== undefined) m = m.left;
    n.start = m.start;
    n.end = m.end;
    n.right = remove(n.right, m.start);
  }
  return balance(n);
}
