// Hybrid search (gRPC with the Node SDK's RRFRanker / WeightedRanker, REST hybrid_search and
// advanced_search) checked against fusion computed here from brute-force sub-results; and the
// REST endpoints driven through the Node SDK's own HttpClient: collections, entities,
// compaction, field and index properties, truncate.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient, RRFRanker, WeightedRanker } from '@zilliz/milvus2-sdk-node';
import { useServer, uniq, newClient, assertOk, DataType } from './lib/helpers.mjs';

const DIM = 8;
const N = 300;

// Deterministic pseudo-random vectors.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const rand = rng(7);
const vec = () => Array.from({ length: DIM }, () => Math.fround(rand() * 2 - 1));
const l2 = (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);

// Exact top-k of one field by L2, as [id, distance].
function topk(rows, field, q, k) {
  return rows.map(r => [r.id, l2(r[field], q)]).sort((a, b) => a[1] - b[1]).slice(0, k);
}
function rrf(subs, k, limit) {
  const score = new Map();
  for (const sub of subs) sub.forEach(([id], rank) => score.set(id, (score.get(id) ?? 0) + 1 / (k + rank + 1)));
  return [...score].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit);
}
function weighted(subs, weights, limit) {
  const score = new Map();
  subs.forEach((sub, i) => {
    for (const [id, d] of sub) {
      score.set(id, (score.get(id) ?? 0) + weights[i] * (1 - 2 * Math.atan(d) / Math.PI));
    }
  });
  return [...score].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, limit);
}

describe('hybrid search and the SDK HttpClient', () => {
  const ctx = useServer({ before, after });
  let client, http, name;
  const rows = Array.from({ length: N }, (_, i) => ({ id: i, a: vec(), b: vec(), tag: i % 3, title: `t${i}` }));

  before(async () => {
    client = await newClient(ctx.server.address);
    http = new HttpClient({ endpoint: `http://${ctx.server.address}` });
    name = uniq('hy');
    assertOk(await client.createCollection({
      collection_name: name,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'a', data_type: DataType.FloatVector, dim: DIM },
        { name: 'b', data_type: DataType.FloatVector, dim: DIM },
        { name: 'tag', data_type: DataType.Int64 },
        { name: 'title', data_type: DataType.VarChar, max_length: 32 },
      ],
    }));
    for (const f of ['a', 'b']) {
      assertOk(await client.createIndex({ collection_name: name, field_name: f, index_type: 'FLAT', metric_type: 'L2' }));
    }
    assertOk(await client.loadCollection({ collection_name: name }));
    assertOk(await client.insert({ collection_name: name, data: rows }));
  });
  after(async () => { await client?.closeConnection(); });

  const close = (got, want, what) => {
    assert.deepEqual(got.map(r => Number(r.id)), want.map(([id]) => id), what);
    got.forEach((r, i) => assert.ok(Math.abs(r.score - want[i][1]) < 1e-4, `${what}: score ${r.score} vs ${want[i][1]}`));
  };

  it('gRPC hybridSearch with RRFRanker and WeightedRanker matches fusion of exact sub-results', async () => {
    const qa = vec(), qb = vec();
    const subs = [topk(rows, 'a', qa, 20), topk(rows, 'b', qb, 20)];
    const res = await client.hybridSearch({
      collection_name: name,
      data: [{ data: qa, anns_field: 'a', params: {}, limit: 20 }, { data: qb, anns_field: 'b', limit: 20 }],
      rerank: RRFRanker(60),
      limit: 10,
      output_fields: ['title'],
    });
    assertOk(res);
    close(res.results, rrf(subs, 60, 10), 'rrf');
    assert.ok(res.results.every(r => r.title === `t${r.id}`));

    const w = await client.hybridSearch({
      collection_name: name,
      data: [{ data: qa, anns_field: 'a', limit: 20 }, { data: qb, anns_field: 'b', limit: 20 }],
      rerank: WeightedRanker([0.8, 0.2]),
      limit: 5,
    });
    assertOk(w);
    close(w.results, weighted(subs, [0.8, 0.2], 5), 'weighted');
  });

  it('REST hybrid_search / advanced_search fuse the same way, with filters per sub-search', async () => {
    const qa = vec(), qb = vec();
    const even = rows.filter(r => r.tag === 0);
    const subs = [topk(even, 'a', qa, 15), topk(rows, 'b', qb, 15)];
    for (const path of ['hybrid_search', 'advanced_search']) {
      const r = await (await fetch(`http://${ctx.server.address}/v2/vectordb/entities/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          collectionName: name,
          search: [
            { data: [qa], annsField: 'a', filter: 'tag == {t}', exprParams: { t: 0 }, limit: 15 },
            { data: [qb], annsField: 'b', limit: 15, params: { nprobe: 4 } },
          ],
          rerank: { strategy: 'rrf', params: { k: 10 } },
          limit: 8,
          outputFields: ['tag'],
        }),
      })).json();
      assert.equal(r.code, 0, JSON.stringify(r));
      close(r.data.map(x => ({ id: x.id, score: x.distance })), rrf(subs, 10, 8), path);
      assert.deepEqual(r.topks, [8]);
    }
    const viaSdk = await http.hybridSearch({
      collectionName: name,
      search: [{ data: [qa], annsField: 'a', limit: 15, filter: 'tag == 0' }, { data: [qb], annsField: 'b', limit: 15 }],
      rerank: { strategy: 'weighted', params: { weights: [0.5, 0.5] } },
      limit: 6,
    });
    assert.equal(viaSdk.code, 0, JSON.stringify(viaSdk));
    close(viaSdk.data.map(x => ({ id: x.id, score: x.distance })), weighted(subs, [0.5, 0.5], 6), 'sdk weighted');
    // Errors as Milvus: an unknown strategy, a missing data list, weights of the wrong length.
    const bad = async (body, code) => {
      const res = await http.hybridSearch({ collectionName: name, limit: 3, ...body });
      assert.equal(res.code, code, JSON.stringify(res));
    };
    await bad({ search: [{ data: [qa], annsField: 'a', limit: 3 }], rerank: { strategy: 'nope', params: {} } }, 1100);
    await bad({ search: [{ annsField: 'a', limit: 3 }], rerank: { strategy: 'rrf', params: {} } }, 1802);
    await bad({ search: [{ data: [qa], annsField: 'a', limit: 3 }], rerank: { strategy: 'weighted', params: { weights: [0.1, 0.2] } } }, 1100);
  });

  it('HttpClient: create, insert, get, query, search, delete, stats over REST', async () => {
    const c = uniq('hc');
    assert.equal((await http.createCollection({ collectionName: c, dimension: 4, metricType: 'COSINE' })).code, 0);
    const data = Array.from({ length: 50 }, (_, i) => ({ id: i, vector: [1, i, 0, 1], color: i % 2 ? 'red' : 'blue' }));
    const ins = await http.insert({ collectionName: c, data });
    assert.equal(ins.code, 0, JSON.stringify(ins));
    assert.equal(ins.data.insertCount, 50);
    const got = await http.get({ collectionName: c, id: [3, 4], outputFields: ['color'] });
    // The SDK sends Accept-Type-Allow-Int64: false unless told otherwise: int64 come back as strings.
    assert.deepEqual(got.data.map(r => [r.id, r.color]), [['3', 'red'], ['4', 'blue']]);
    const asNumbers = new HttpClient({ endpoint: `http://${ctx.server.address}`, acceptInt64: true });
    assert.deepEqual((await asNumbers.get({ collectionName: c, id: [3] })).data.map(r => r.id), [3]);
    const q = await http.query({ collectionName: c, filter: 'color == "red" and id < 10', outputFields: ['id'] });
    assert.deepEqual(q.data.map(r => Number(r.id)).sort((a, b) => a - b), [1, 3, 5, 7, 9]);
    const s = await http.search({ collectionName: c, data: [[1, 7, 0, 1]], limit: 3, outputFields: ['color'] });
    assert.equal(s.code, 0, JSON.stringify(s));
    assert.equal(Number(s.data[0].id), 7);
    const del = await http.delete({ collectionName: c, filter: 'id >= 40' });
    assert.equal(del.code, 0, JSON.stringify(del));
    const count = await http.query({ collectionName: c, filter: '', outputFields: ['count(*)'] });
    assert.equal(Number(count.data[0]['count(*)']), 40);
    assert.equal((await http.dropCollection({ collectionName: c })).code, 0);
  });

  it('large gRPC requests on the shared port do not stall (1000 x 768 floats, 3 MB, x3)', async () => {
    const c = uniq('big');
    assertOk(await client.createCollection({
      collection_name: c,
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'v', data_type: DataType.FloatVector, dim: 768 }],
    }));
    const data = Array.from({ length: 1000 }, (_, i) => ({ id: i, v: Array.from({ length: 768 }, () => rand()) }));
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      assertOk(await client.insert({ collection_name: c, data }));
      // A blocking hand-off socket made these take 10 s (the completion-queue timeout).
      assert.ok(performance.now() - t0 < 5000, `insert ${k} took ${performance.now() - t0} ms`);
    }
  });

  it('HttpClient: compaction, field and index properties, truncate', async () => {
    const c = uniq('hp');
    assertOk(await client.createCollection({
      collection_name: c,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: 4 },
        { name: 's', data_type: DataType.VarChar, max_length: 8 },
      ],
    }));
    assertOk(await client.createIndex({ collection_name: c, field_name: 'v', index_name: 'vi', index_type: 'AUTOINDEX', metric_type: 'L2' }));
    const comp = await http.compactCollection({ collectionName: c });
    assert.equal(comp.code, 0, JSON.stringify(comp));
    assert.ok('compactionID' in comp.data);
    const st = await http.getCompactionState({ jobID: comp.data.compactionID });
    assert.equal(st.code, 0, JSON.stringify(st));
    assert.equal(st.data.state, 'Completed');

    const alt = await http.alterCollectionFieldProperties({ collectionName: c, fieldName: 's', fieldParams: { max_length: 16 } });
    assert.equal(alt.code, 0, JSON.stringify(alt));
    const d = await client.describeCollection({ collection_name: c });
    const s = d.schema.fields.find(f => f.name === 's');
    assert.equal(s.type_params.find(p => p.key === 'max_length').value, '16');
    const badField = await http.alterCollectionFieldProperties({ collectionName: c, fieldName: 'v', fieldParams: { max_length: 16 } });
    assert.equal(badField.code, 1100, JSON.stringify(badField));

    const ai = await http.alterIndexProperties({ collectionName: c, indexName: 'vi', properties: { 'mmap.enabled': true } });
    assert.equal(ai.code, 0, JSON.stringify(ai));
    let idx = await client.describeIndex({ collection_name: c, index_name: 'vi' });
    assert.ok(idx.index_descriptions[0].params.some(p => p.key === 'mmap.enabled' && p.value === 'true'), JSON.stringify(idx.index_descriptions[0].params));
    const di = await http.dropIndexProperties({ collectionName: c, indexName: 'vi', propertyKeys: ['mmap.enabled'] });
    assert.equal(di.code, 0, JSON.stringify(di));
    idx = await client.describeIndex({ collection_name: c, index_name: 'vi' });
    assert.ok(!idx.index_descriptions[0].params.some(p => p.key === 'mmap.enabled'));
    const badIdx = await http.alterIndexProperties({ collectionName: c, indexName: 'vi', properties: { nlist: 3 } });
    assert.equal(badIdx.code, 1100, JSON.stringify(badIdx));

    assertOk(await client.loadCollection({ collection_name: c }));
    assertOk(await client.insert({ collection_name: c, data: [{ id: 1, v: [0, 0, 0, 1], s: 'x' }] }));
    const tr = await (await fetch(`http://${ctx.server.address}/v2/vectordb/collections/truncate`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ collectionName: c }),
    })).json();
    assert.equal(tr.code, 0, JSON.stringify(tr));
    const n = await client.query({ collection_name: c, filter: '', output_fields: ['count(*)'] });
    assert.equal(Number(n.data[0]['count(*)']), 0);
  });
});
