// Data helpers for the DML/search tests: a seeded RNG, reference (brute-force) metrics
// computed in JS, and small query utilities.
import assert from 'node:assert/strict';

/** Deterministic PRNG (mulberry32). Returns a function yielding floats in [0, 1). */
export function rng(seed = 1) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A float vector whose components are exactly representable as float32, in [-1, 1). */
export function randVec(rand, dim) {
  return Array.from({ length: dim }, () => Math.fround(rand() * 2 - 1));
}

/** Random bytes (for binary vectors), dim bits -> dim/8 numbers 0..255. */
export function randBytes(rand, dim) {
  return Array.from({ length: dim / 8 }, () => Math.floor(rand() * 256));
}

// ---- reference metrics (scores as Milvus reports them, see milvus-compat.md §4.4) ----
export function l2sq(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; s += d * d; }
  return s;
}
export function ip(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
export function cosine(a, b) {
  return ip(a, b) / (Math.sqrt(ip(a, a)) * Math.sqrt(ip(b, b)));
}
function popcount8(x) {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}
export function hamming(a, b) {
  let n = 0;
  for (let i = 0; i < a.length; i++) n += popcount8(a[i] ^ b[i]);
  return n;
}
export function jaccard(a, b) {
  let inter = 0, union = 0;
  for (let i = 0; i < a.length; i++) { inter += popcount8(a[i] & b[i]); union += popcount8(a[i] | b[i]); }
  return union === 0 ? 0 : 1 - inter / union;
}
/** Sparse inner product of two {index: value} dicts. */
export function sparseIp(a, b) {
  let s = 0;
  for (const [k, v] of Object.entries(a)) if (b[k] !== undefined) s += v * b[k];
  return s;
}

export const METRICS = {
  L2: { fn: l2sq, larger: false },
  IP: { fn: ip, larger: true },
  COSINE: { fn: cosine, larger: true },
  HAMMING: { fn: hamming, larger: false },
  JACCARD: { fn: jaccard, larger: false },
};

/**
 * Brute-force top-k: rows = [{id, vec}], returns [{id, score}] best first (ties by id).
 * `keep(score)` optionally filters (range search).
 */
export function bruteForce(rows, query, metric, k, { offset = 0, keep = () => true, fn } = {}) {
  const m = METRICS[metric] || { fn, larger: true };
  const f = fn || m.fn;
  const scored = rows.map(r => ({ id: r.id, score: f(query, r.vec) })).filter(h => keep(h.score));
  scored.sort((x, y) => (m.larger ? y.score - x.score : x.score - y.score) || (x.id - y.id));
  return scored.slice(offset, offset + k);
}

/**
 * Compares search hits with the brute-force expectation: same length; at every position the
 * score is within `tol` of the expected one; every returned id is a real row whose true score
 * (`scoreOf(id)`) equals the returned score; no id twice. Ties (equal scores, common with
 * HAMMING) may therefore come in any order without failing. Without `scoreOf`, ids must match
 * position by position unless the expected scores there are tied.
 */
export function assertHits(got, want, { tol = 1e-4, scoreOf, what = 'search' } = {}) {
  assert.equal(got.length, want.length,
    `${what}: expected ${want.length} hits, got ${got.length} (got ids ${got.map(h => h.id)}, want ${want.map(h => h.id)})`);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const gid = Number(g.id);
    assert.ok(Math.abs(Number(g.score) - w.score) <= tol,
      `${what}: hit ${i} score ${g.score} != expected ${w.score} (id ${gid} vs ${w.id})`);
    if (gid === w.id) continue;
    if (scoreOf) {
      const truth = scoreOf(gid);
      assert.ok(truth !== undefined && Math.abs(truth - Number(g.score)) <= tol,
        `${what}: hit ${i} id ${gid} has score ${g.score} but its true score is ${truth} (expected id ${w.id})`);
    } else {
      const tied = want.some(o => o.id === gid && Math.abs(o.score - w.score) <= tol);
      assert.ok(tied, `${what}: hit ${i} id ${gid} != expected ${w.id} (score ${g.score} vs ${w.score})`);
    }
  }
  const ids = got.map(h => Number(h.id));
  assert.equal(new Set(ids).size, ids.length, `${what}: duplicate ids in ${ids}`);
}

/** count(*) of a collection (optionally filtered / restricted to partitions), Strong consistency. */
export async function countRows(client, collection_name, { filter = '', partition_names } = {}) {
  const res = await client.query({
    collection_name,
    filter,
    output_fields: ['count(*)'],
    consistency_level: 'Strong',
    ...(partition_names ? { partition_names } : {}),
  });
  if (res.status.error_code !== 'Success') {
    throw new Error(`count(*) on ${collection_name} failed: ${JSON.stringify(res.status)}`);
  }
  return Number(res.data[0]['count(*)']);
}

/**
 * Every row of a collection without a filter: pages of `page` rows by limit/offset
 * (limit+offset must stay within 16384, so this covers up to 16384 rows).
 */
export async function queryAllNoFilter(client, collection_name, { output_fields = ['id'], page = 4096 } = {}) {
  const out = [];
  for (let offset = 0; offset < 16384; offset += page) {
    const limit = Math.min(page, 16384 - offset);
    const res = await client.query({ collection_name, output_fields, limit, offset, consistency_level: 'Strong' });
    if (res.status.error_code !== 'Success') {
      throw new Error(`query page at ${offset} failed: ${JSON.stringify(res.status)}`);
    }
    out.push(...res.data);
    if (res.data.length < limit) return out;
  }
  return out;
}

export const sortNum = xs => [...xs].map(Number).sort((a, b) => a - b);
