// Search: FLAT/brute-force results must equal a JS brute force on seeded random data for
// L2 / IP / COSINE, binary HAMMING / JACCARD and sparse IP; nq > 1, offset, output fields,
// range search per metric, filters, and the errors Milvus returns (unloaded 101, wrong dim,
// metric mismatch).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, assertErr, uniq, DataType } from './lib/helpers.mjs';
import { rng, randVec, randBytes, bruteForce, assertHits, METRICS, sparseIp } from './lib/data.mjs';

const N = 500;
const DIM = 16;
const BDIM = 64;
const NB = 300;

const rand = rng(20240611);
const dense = Array.from({ length: N }, (_, id) => ({
  id,
  vec: randVec(rand, DIM),
  cat: id % 5,
  label: `L${id % 7}`,
  dk: `d${id % 3}`,
}));
const queries = Array.from({ length: 6 }, () => randVec(rand, DIM));
const binary = Array.from({ length: NB }, (_, id) => ({ id, vec: randBytes(rand, BDIM) }));
const bqueries = Array.from({ length: 4 }, () => randBytes(rand, BDIM));
// Sparse rows: 4..8 positive entries among 64 dimensions, values exact in float32.
const sparse = Array.from({ length: NB }, (_, id) => {
  const v = {};
  const nnz = 4 + Math.floor(rand() * 5);
  while (Object.keys(v).length < nnz) v[Math.floor(rand() * 64)] = Math.fround(0.05 + rand());
  return { id, vec: v };
});
const squery = { 3: Math.fround(0.7), 17: Math.fround(1.3), 40: Math.fround(0.2), 63: Math.fround(2.5) };

const FIELD = { L2: 'v_l2', IP: 'v_ip', COSINE: 'v_cos' };
const byId = new Map(dense.map(r => [r.id, r]));
const scoreOf = (metric, q, rows = byId) => id => METRICS[metric].fn(q, rows.get(id).vec);

describe('search', () => {
  const ctx = useServer({ before, after });
  const coll = uniq('dense');
  const bcoll = uniq('bin');
  const scoll = uniq('sparse');

  before(async () => {
    const c = ctx.client;
    assertOk(await c.createCollection({
      collection_name: coll,
      consistency_level: 'Strong',
      enable_dynamic_field: true,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'cat', data_type: DataType.Int32 },
        { name: 'label', data_type: DataType.VarChar, max_length: 16 },
        { name: 'v_l2', data_type: DataType.FloatVector, dim: DIM },
        { name: 'v_ip', data_type: DataType.FloatVector, dim: DIM },
        { name: 'v_cos', data_type: DataType.FloatVector, dim: DIM },
      ],
    }), 'create dense');
    assertOk(await c.createIndex([
      { collection_name: coll, field_name: 'v_l2', index_type: 'FLAT', metric_type: 'L2' },
      { collection_name: coll, field_name: 'v_ip', index_type: 'FLAT', metric_type: 'IP' },
      { collection_name: coll, field_name: 'v_cos', index_type: 'FLAT', metric_type: 'COSINE' },
    ]), 'dense indexes');
    assertOk(await c.loadCollection({ collection_name: coll }));
    for (let start = 0; start < N; start += 250) {
      const data = dense.slice(start, start + 250).map(r => ({
        id: r.id, cat: r.cat, label: r.label, v_l2: r.vec, v_ip: r.vec, v_cos: r.vec, dk: r.dk,
      }));
      assertOk(await c.insert({ collection_name: coll, data }), 'insert dense');
    }

    assertOk(await c.createCollection({
      collection_name: bcoll,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'b_ham', data_type: DataType.BinaryVector, dim: BDIM },
        { name: 'b_jac', data_type: DataType.BinaryVector, dim: BDIM },
      ],
    }), 'create binary');
    assertOk(await c.createIndex([
      { collection_name: bcoll, field_name: 'b_ham', index_type: 'BIN_FLAT', metric_type: 'HAMMING' },
      { collection_name: bcoll, field_name: 'b_jac', index_type: 'BIN_FLAT', metric_type: 'JACCARD' },
    ]), 'binary indexes');
    assertOk(await c.loadCollection({ collection_name: bcoll }));
    assertOk(await c.insert({ collection_name: bcoll, data: binary.map(r => ({ id: r.id, b_ham: r.vec, b_jac: r.vec })) }), 'insert binary');

    assertOk(await c.createCollection({
      collection_name: scoll,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'sv', data_type: DataType.SparseFloatVector },
      ],
    }), 'create sparse');
    assertOk(await c.createIndex({ collection_name: scoll, field_name: 'sv', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP' }));
    assertOk(await c.loadCollection({ collection_name: scoll }));
    assertOk(await c.insert({ collection_name: scoll, data: sparse.map(r => ({ id: r.id, sv: r.vec })) }), 'insert sparse');
  });

  const search = (params) => ctx.client.search({ collection_name: coll, ...params });

  for (const metric of ['L2', 'IP', 'COSINE']) {
    it(`${metric}: top-10 equals brute force (ids and scores)`, async () => {
      for (const [qi, q] of queries.entries()) {
        const res = await search({ anns_field: FIELD[metric], data: q, limit: 10, output_fields: ['id'] });
        assertOk(res, `${metric} search`);
        assertHits(res.results, bruteForce(dense, q, metric, 10), { scoreOf: scoreOf(metric, q), what: `${metric} q${qi}` });
      }
    });
  }

  it('metric_type given explicitly and equal to the index metric is accepted', async () => {
    const res = await search({ anns_field: 'v_ip', data: queries[0], limit: 3, metric_type: 'IP' });
    assertOk(res);
    assertHits(res.results, bruteForce(dense, queries[0], 'IP', 3), { scoreOf: scoreOf('IP', queries[0]) });
  });

  it('nq > 1: one result list per query, in query order', async () => {
    const qs = queries.slice(0, 4);
    const res = await search({ anns_field: 'v_l2', data: qs, limit: 7 });
    assertOk(res, 'nq=4');
    assert.equal(res.results.length, 4);
    for (const [qi, q] of qs.entries()) {
      assertHits(res.results[qi], bruteForce(dense, q, 'L2', 7), { scoreOf: scoreOf('L2', q), what: `nq q${qi}` });
    }
  });

  it('large nq (matrix-product path): every query equals brute force, for every metric, with a filter', async () => {
    const qs = Array.from({ length: 70 }, () => randVec(rand, DIM));
    for (const metric of ['L2', 'IP', 'COSINE']) {
      const res = await search({ anns_field: FIELD[metric], data: qs, limit: 5 });
      assertOk(res, `${metric} nq=70`);
      assert.equal(res.results.length, qs.length);
      for (const [qi, q] of qs.entries()) {
        assertHits(res.results[qi], bruteForce(dense, q, metric, 5), { scoreOf: scoreOf(metric, q), what: `${metric} nq=70 q${qi}` });
      }
      const filtered = await search({ anns_field: FIELD[metric], data: qs, limit: 4, filter: 'cat == 2' });
      assertOk(filtered, `${metric} nq=70 filtered`);
      const keep = dense.filter(r => r.cat === 2);
      for (const [qi, q] of qs.entries()) {
        assertHits(filtered.results[qi], bruteForce(keep, q, metric, 4), { scoreOf: scoreOf(metric, q), what: `${metric} filtered q${qi}` });
      }
    }
  });

  it('ignore_growing searches flushed (sealed) rows only', async () => {
    const c = ctx.client;
    const name = uniq('growing');
    assertOk(await c.createCollection({
      collection_name: name,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: DIM },
      ],
    }));
    assertOk(await c.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: name }));
    assertOk(await c.insert({ collection_name: name, data: dense.slice(0, 100).map(r => ({ id: r.id, v: r.vec })) }));
    assertOk(await c.flush({ collection_names: [name] }));
    assertOk(await c.insert({ collection_name: name, data: dense.slice(100, 150).map(r => ({ id: r.id, v: r.vec })) }));
    const q = dense[120].vec;  // a growing row
    const all = await c.search({ collection_name: name, data: q, limit: 5 });
    assertOk(all);
    assert.equal(Number(all.results[0].id), 120, 'without ignore_growing the growing row is found');
    const sealed = await c.search({ collection_name: name, data: q, limit: 5, ignore_growing: true });
    assertOk(sealed);
    assert.equal(sealed.results.length, 5);
    assertHits(sealed.results, bruteForce(dense.slice(0, 100), q, 'L2', 5), { what: 'ignore_growing' });
  });

  it('offset skips the best hits', async () => {
    for (const metric of ['L2', 'COSINE']) {
      const q = queries[1];
      const res = await search({ anns_field: FIELD[metric], data: q, limit: 5, offset: 7 });
      assertOk(res, `${metric} offset`);
      assertHits(res.results, bruteForce(dense, q, metric, 5, { offset: 7 }), { scoreOf: scoreOf(metric, q), what: `${metric} offset 7` });
    }
  });

  it('limit larger than the row count returns every row', async () => {
    const res = await search({ anns_field: 'v_ip', data: queries[2], limit: N + 100, output_fields: ['id'] });
    assertOk(res);
    assert.equal(res.results.length, N);
  });

  it('topk + offset above 16384 fails', async () => {
    assertErr(await search({ anns_field: 'v_l2', data: queries[0], limit: 16385 }), {}, 'topk 16385');
    assertErr(await search({ anns_field: 'v_l2', data: queries[0], limit: 16000, offset: 385 }), {}, 'topk+offset 16385');
  });

  it('output_fields: scalars, dynamic keys, and "*"', async () => {
    const q = queries[3];
    const want = bruteForce(dense, q, 'COSINE', 5);
    const res = await search({ anns_field: 'v_cos', data: q, limit: 5, output_fields: ['cat', 'label', 'dk'] });
    assertOk(res, 'output scalar + dynamic');
    assertHits(res.results, want, { scoreOf: scoreOf('COSINE', q) });
    for (const h of res.results) {
      const r = byId.get(Number(h.id));
      assert.equal(h.cat, r.cat);
      assert.equal(h.label, r.label);
      assert.equal(h.dk, r.dk, 'dynamic key by name');
      assert.equal(h.v_cos, undefined, 'vectors only when asked for');
    }
    const all = await search({ anns_field: 'v_cos', data: q, limit: 5, output_fields: ['*'] });
    assertOk(all, 'output *');
    for (const h of all.results) {
      const r = byId.get(Number(h.id));
      assert.equal(h.cat, r.cat);
      assert.equal(h.label, r.label);
      assert.deepEqual(h.v_l2, r.vec);
      assert.deepEqual(h.v_ip, r.vec);
      assert.deepEqual(h.v_cos, r.vec);
      assert.equal(h.$meta.dk, r.dk);
    }
    const vec = await search({ anns_field: 'v_cos', data: q, limit: 2, output_fields: ['v_l2'] });
    assertOk(vec);
    for (const h of vec.results) assert.deepEqual(h.v_l2, byId.get(Number(h.id)).vec);
  });

  describe('range search', () => {
    // Bounds are placed half-way between consecutive brute-force scores so that no row sits
    // on a boundary.
    const mid = (xs, i) => (xs[i].score + xs[i + 1].score) / 2;

    it('L2: range_filter <= d < radius', async () => {
      const q = queries[4];
      const all = bruteForce(dense, q, 'L2', N);
      const rangeFilter = mid(all, 4), radius = mid(all, 30);
      const res = await search({ anns_field: 'v_l2', data: q, limit: 100, params: { radius, range_filter: rangeFilter } });
      assertOk(res, 'L2 range');
      assertHits(res.results, all.slice(5, 31), { scoreOf: scoreOf('L2', q), what: 'L2 range' });
      const onlyRadius = await search({ anns_field: 'v_l2', data: q, limit: 100, params: { radius } });
      assertOk(onlyRadius, 'L2 radius only');
      assertHits(onlyRadius.results, all.slice(0, 31), { scoreOf: scoreOf('L2', q), what: 'L2 radius only' });
      const capped = await search({ anns_field: 'v_l2', data: q, limit: 10, params: { radius, range_filter: rangeFilter } });
      assertOk(capped);
      assertHits(capped.results, all.slice(5, 15), { scoreOf: scoreOf('L2', q), what: 'L2 range limited' });
    });

    for (const metric of ['IP', 'COSINE']) {
      it(`${metric}: radius < score <= range_filter`, async () => {
        const q = queries[5];
        const all = bruteForce(dense, q, metric, N);
        const rangeFilter = mid(all, 2), radius = mid(all, 40);
        const res = await search({ anns_field: FIELD[metric], data: q, limit: 100, params: { radius, range_filter: rangeFilter } });
        assertOk(res, `${metric} range`);
        assertHits(res.results, all.slice(3, 41), { scoreOf: scoreOf(metric, q), what: `${metric} range` });
      });
    }

    it('HAMMING: range_filter <= d < radius', async () => {
      const q = bqueries[0];
      const res = await ctx.client.search({ collection_name: bcoll, anns_field: 'b_ham', data: q, limit: 300, params: { radius: 30, range_filter: 26 } });
      assertOk(res, 'hamming range');
      const want = bruteForce(binary, q, 'HAMMING', NB, { keep: d => d >= 26 && d < 30 });
      const bById = new Map(binary.map(r => [r.id, r]));
      assert.ok(want.length > 0, 'the range is not empty');
      assertHits(res.results, want, { scoreOf: id => METRICS.HAMMING.fn(q, bById.get(id).vec), what: 'hamming range' });
    });

    it('a range that is wrong way round for the metric fails with code 1100', async () => {
      // Milvus's proxy (task_search.go checkRangeSearchParams): L2/HAMMING/JACCARD need
      // range_filter < radius, IP/COSINE need radius < range_filter; otherwise
      // "range_filter must be less/greater than radius ..." (ErrParameterInvalid).
      const bad = [
        ['v_l2', { radius: 1, range_filter: 2 }],
        ['v_l2', { radius: 1, range_filter: 1 }],
        ['v_ip', { radius: 2, range_filter: 1 }],
        ['v_cos', { radius: 0.5, range_filter: 0.5 }],
      ];
      for (const [field, params] of bad) {
        assertErr(await search({ anns_field: field, data: queries[0], limit: 10, params }),
          { code: 1100, reason: /range_filter/ }, `${field} ${JSON.stringify(params)}`);
      }
    });
  });

  it('search with a filter equals brute force over the matching rows', async () => {
    const q = queries[0];
    const subset = dense.filter(r => r.cat === 2 && r.id > 100);
    const res = await search({ anns_field: 'v_l2', data: q, limit: 10, filter: 'cat == 2 and id > 100', output_fields: ['cat'] });
    assertOk(res, 'filtered search');
    assertHits(res.results, bruteForce(subset, q, 'L2', 10), { scoreOf: scoreOf('L2', q), what: 'filtered' });
    for (const h of res.results) assert.equal(h.cat, 2);
    const dyn = await search({ anns_field: 'v_ip', data: q, limit: 10, filter: 'dk == "d1" and label in ["L1", "L2"]' });
    assertOk(dyn, 'filter on dynamic key');
    const subset2 = dense.filter(r => r.dk === 'd1' && (r.label === 'L1' || r.label === 'L2'));
    assertHits(dyn.results, bruteForce(subset2, q, 'IP', 10), { scoreOf: scoreOf('IP', q), what: 'dynamic filter' });
    const none = await search({ anns_field: 'v_l2', data: q, limit: 10, filter: 'id < 0' });
    assertOk(none, 'filter matching nothing');
    assert.equal(none.results.length, 0);
  });

  it('binary vectors: HAMMING and JACCARD equal brute force', async () => {
    const bById = new Map(binary.map(r => [r.id, r]));
    for (const metric of ['HAMMING', 'JACCARD']) {
      const field = metric === 'HAMMING' ? 'b_ham' : 'b_jac';
      for (const [qi, q] of bqueries.entries()) {
        const res = await ctx.client.search({ collection_name: bcoll, anns_field: field, data: q, limit: 10 });
        assertOk(res, `${metric} search`);
        assertHits(res.results, bruteForce(binary, q, metric, 10),
          { scoreOf: id => METRICS[metric].fn(q, bById.get(id).vec), what: `${metric} q${qi}` });
      }
    }
    const nq = await ctx.client.search({ collection_name: bcoll, anns_field: 'b_ham', data: bqueries, limit: 3 });
    assertOk(nq, 'binary nq=4');
    assert.equal(nq.results.length, bqueries.length);
  });

  it('sparse IP equals brute force (rows sharing no dimension are not hits)', async () => {
    const sById = new Map(sparse.map(r => [r.id, r]));
    const res = await ctx.client.search({ collection_name: scoll, anns_field: 'sv', data: squery, limit: 10 });
    assertOk(res, 'sparse search');
    const want = bruteForce(sparse, squery, 'IP', 10, { fn: sparseIp, keep: s => s > 0 });
    assertHits(res.results, want, { scoreOf: id => sparseIp(squery, sById.get(id).vec), what: 'sparse IP' });
    const rare = { 1000: 1 };   // no row has dimension 1000
    const empty = await ctx.client.search({ collection_name: scoll, anns_field: 'sv', data: rare, limit: 10 });
    assertOk(empty, 'sparse search with no overlap');
    assert.equal(empty.results.length, 0);
  });

  it('search on a collection that is not loaded fails with code 101', async () => {
    const c = ctx.client;
    const name = uniq('unloaded');
    assertOk(await c.createCollection({ collection_name: name, consistency_level: 'Strong',
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'vector', data_type: DataType.FloatVector, dim: 4 }] }));
    assertOk(await c.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.insert({ collection_name: name, data: [{ id: 1, vector: [1, 2, 3, 4] }] }));
    assertErr(await c.search({ collection_name: name, data: [1, 2, 3, 4], limit: 1 }), { code: 101 }, 'search unloaded');
    assertOk(await c.loadCollection({ collection_name: name }));
    const ok = await c.search({ collection_name: name, data: [1, 2, 3, 4], limit: 1 });
    assertOk(ok);
    assert.deepEqual(ok.results.map(h => [Number(h.id), h.score]), [[1, 0]]);
    assertOk(await c.releaseCollection({ collection_name: name }));
    assertErr(await c.search({ collection_name: name, data: [1, 2, 3, 4], limit: 1 }), { code: 101 }, 'search released');
  });

  it('a query vector of the wrong dimension fails', async () => {
    assertErr(await search({ anns_field: 'v_l2', data: queries[0].slice(0, DIM - 1), limit: 5 }), {}, 'dim 15 on dim 16');
    assertErr(await search({ anns_field: 'v_l2', data: [...queries[0], 0.5], limit: 5 }), {}, 'dim 17 on dim 16');
    assertErr(await ctx.client.search({ collection_name: bcoll, anns_field: 'b_ham', data: [1, 2, 3], limit: 5 }), {}, 'binary 24 bits on 64');
  });

  it('metric_type different from the index metric fails', async () => {
    assertErr(await search({ anns_field: 'v_l2', data: queries[0], limit: 5, metric_type: 'IP' }), { reason: /metric/i }, 'IP on an L2 index');
    assertErr(await search({ anns_field: 'v_cos', data: queries[0], limit: 5, metric_type: 'L2' }), { reason: /metric/i }, 'L2 on a COSINE index');
    assertErr(await ctx.client.search({ collection_name: bcoll, anns_field: 'b_ham', data: bqueries[0], limit: 5, metric_type: 'JACCARD' }),
      { reason: /metric/i }, 'JACCARD on a HAMMING index');
  });

  it('an unknown anns_field fails', async () => {
    const res = await ctx.client.search({ collection_name: coll, data: queries[0], limit: 5, search_params: { anns_field: 'nope', topk: 5, metric_type: 'L2', params: '{}' } });
    assertErr(res, {}, 'unknown anns_field');
  });
});
