// Every ANN index kind Quiver builds, on every vector type it takes, searched through the index
// (the server runs with --exact-scan-max-cost 0, so the planner never falls back to an exact
// scan on this small data): recall or exactness against brute force computed here; saved
// indexes loaded, not rebuilt, after a restart, with identical results; a damaged index file
// is reported and rebuilt, never served; dropping an index removes its file.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { uniq, newClient, assertOk, closeClients, DataType } from './lib/helpers.mjs';
import { QuiverServer } from './lib/server.mjs';
import { rng, l2sq, ip, cosine, hamming, jaccard } from './lib/data.mjs';

const N = 3000, DIM = 16, BITS = 64, NQ = 12;
const rand = rng(2024);
// Components k/64: exact in float32, float16 and bfloat16, so brute force here is exact.
const dense = () => Array.from({ length: DIM }, () => Math.round((rand() * 2 - 1) * 64) / 64);
const int8 = () => Array.from({ length: DIM }, () => Math.floor(rand() * 256) - 128);
const bits = () => Array.from({ length: BITS / 8 }, () => Math.floor(rand() * 256));
const sparse = () => {
  const v = {};
  const nnz = 3 + Math.floor(rand() * 8);
  while (Object.keys(v).length < nnz) v[Math.floor(rand() * 200)] = (1 + Math.floor(rand() * 63)) / 64;
  return v;
};
const sparseIp = (a, b) => { let s = 0; for (const [k, x] of Object.entries(a)) if (b[k] !== undefined) s += x * b[k]; return s; };

const GEN = {
  [DataType.FloatVector]: dense, [DataType.Float16Vector]: dense, [DataType.BFloat16Vector]: dense,
  [DataType.Int8Vector]: int8, [DataType.BinaryVector]: bits, [DataType.SparseFloatVector]: sparse,
};
const METRIC = {
  L2: { fn: l2sq, larger: false }, IP: { fn: ip, larger: true }, COSINE: { fn: cosine, larger: true },
  HAMMING: { fn: hamming, larger: false }, JACCARD: { fn: jaccard, larger: false }, SPARSE_IP: { fn: sparseIp, larger: true },
};

// [label, vector type, index type, metric, index params, search params, check]
// check: { recall: minimum recall@10 } or { exact: true } (the score list equals brute force).
const CASES = [
  ['float HNSW L2', DataType.FloatVector, 'HNSW', 'L2', { M: 16, efConstruction: 100 }, { ef: 64 }, { recall: 0.95 }],
  ['float HNSW IP', DataType.FloatVector, 'HNSW', 'IP', { M: 16, efConstruction: 100 }, { ef: 64 }, { recall: 0.95 }],
  ['float HNSW COSINE', DataType.FloatVector, 'HNSW', 'COSINE', { M: 16, efConstruction: 100 }, { ef: 64 }, { recall: 0.95 }],
  ['float AUTOINDEX COSINE', DataType.FloatVector, 'AUTOINDEX', 'COSINE', {}, {}, { recall: 0.95 }],
  ['float HNSW_SQ L2', DataType.FloatVector, 'HNSW_SQ', 'L2', { M: 16, efConstruction: 100, sq_type: 'SQ8' }, { ef: 64 }, { recall: 0.9 }],
  ['float16 HNSW_SQ COSINE', DataType.Float16Vector, 'HNSW_SQ', 'COSINE', { M: 16, efConstruction: 100 }, { ef: 64, refine_k: 2 }, { recall: 0.9 }],
  ['int8 HNSW_PQ IP', DataType.Int8Vector, 'HNSW_PQ', 'IP', { M: 16, efConstruction: 100, m: 4, nbits: 8 }, { ef: 64 }, { recall: 0.9 }],
  ['float IVF_FLAT L2', DataType.FloatVector, 'IVF_FLAT', 'L2', { nlist: 16 }, { nprobe: 16 }, { exact: true, probeOneBelow: 0.99 }],
  ['float IVF_FLAT COSINE', DataType.FloatVector, 'IVF_FLAT', 'COSINE', { nlist: 16 }, { nprobe: 16 }, { exact: true }],
  ['float IVF_SQ8 IP', DataType.FloatVector, 'IVF_SQ8', 'IP', { nlist: 16 }, { nprobe: 16 }, { recall: 0.85 }],
  ['float IVF_PQ L2', DataType.FloatVector, 'IVF_PQ', 'L2', { nlist: 16, m: 8, nbits: 8 }, { nprobe: 16 }, { recall: 0.5 }],
  ['float16 HNSW L2', DataType.Float16Vector, 'HNSW', 'L2', { M: 16, efConstruction: 100 }, { ef: 64 }, { recall: 0.95 }],
  ['float16 IVF_FLAT IP', DataType.Float16Vector, 'IVF_FLAT', 'IP', { nlist: 16 }, { nprobe: 16 }, { exact: true }],
  ['bfloat16 HNSW COSINE', DataType.BFloat16Vector, 'HNSW', 'COSINE', { M: 16, efConstruction: 100 }, { ef: 64 }, { recall: 0.95 }],
  ['int8 HNSW L2', DataType.Int8Vector, 'HNSW', 'L2', { M: 16, efConstruction: 100 }, { ef: 64 }, { recall: 0.95 }],
  ['binary BIN_IVF_FLAT HAMMING', DataType.BinaryVector, 'BIN_IVF_FLAT', 'HAMMING', { nlist: 16 }, { nprobe: 16 }, { exact: true, probeOneBelow: 0.99 }],
  ['binary BIN_IVF_FLAT JACCARD', DataType.BinaryVector, 'BIN_IVF_FLAT', 'JACCARD', { nlist: 16 }, { nprobe: 16 }, { exact: true }],
  ['sparse SPARSE_INVERTED_INDEX IP', DataType.SparseFloatVector, 'SPARSE_INVERTED_INDEX', 'IP', {}, {}, { exact: true }],
  ['sparse SPARSE_WAND IP', DataType.SparseFloatVector, 'SPARSE_WAND', 'IP', {}, { drop_ratio_search: 0 }, { exact: true }],
];

const sleep = ms => new Promise(r => setTimeout(r, ms));

describe('ANN index kinds', () => {
  let server, client;
  const made = [];  // { label, name, rows, queries, ... }
  const reconnect = async () => {
    await client?.closeConnection();
    client = await newClient(server.address);
  };
  before(async () => {
    server = await QuiverServer.start({ extraArgs: ['--exact-scan-max-cost', '0'] });
    client = await newClient(server.address);
  });
  after(async () => {
    await closeClients([client]);
    if (server) { await server.stop(); server.cleanup(); }
  });

  async function waitIndexed(name) {
    for (let t = 0; t < 600; t++) {
      const d = await client.describeIndex({ collection_name: name, field_name: 'v' });
      assertOk(d);
      const x = d.index_descriptions[0];
      if (Number(x.indexed_rows) === N && Number(x.pending_index_rows) === 0) return;
      await sleep(100);
    }
    assert.fail(`${name}: index not built in 60 s`);
  }
  const truthOf = (c, q) => {
    const m = c.type === DataType.SparseFloatVector ? METRIC.SPARSE_IP : METRIC[c.metric];
    const scored = c.rows.map(r => ({ id: r.id, score: m.fn(q, r.v) }))
      .filter(h => c.type !== DataType.SparseFloatVector || h.score > 0);
    scored.sort((a, b) => (m.larger ? b.score - a.score : a.score - b.score) || a.id - b.id);
    return scored.slice(0, 10);
  };
  async function searchAll(c, params) {
    const out = [];
    for (const q of c.queries) {
      const res = await client.search({ collection_name: c.name, anns_field: 'v', data: [q], limit: 10, params });
      assertOk(res, `${c.label} search`);
      out.push(res.results.map(r => ({ id: Number(r.id), score: r.score })));
    }
    return out;
  }
  function recallOf(c, results) {
    let hit = 0, total = 0;
    c.queries.forEach((q, i) => {
      const truth = truthOf(c, q);
      // Ties at the 10th score: any of the tied rows is a right answer.
      const kth = truth[truth.length - 1]?.score;
      const m = c.type === DataType.SparseFloatVector ? METRIC.SPARSE_IP : METRIC[c.metric];
      const ok = new Set(c.rows.filter(r => {
        const s = m.fn(q, r.v);
        return m.larger ? s >= kth - 1e-5 : s <= kth + 1e-5;
      }).map(r => r.id));
      hit += results[i].filter(h => ok.has(h.id)).length;
      total += truth.length;
    });
    return hit / total;
  }

  it('every index kind builds and answers within its promise', async () => {
    for (const [label, type, indexType, metric, indexParams, searchParams, check] of CASES) {
      const name = uniq('kind');
      const field = { name: 'v', data_type: type };
      if (type !== DataType.SparseFloatVector) field.dim = type === DataType.BinaryVector ? BITS : DIM;
      assertOk(await client.createCollection({
        collection_name: name,
        fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, field, { name: 'tag', data_type: DataType.Int64 }],
      }), `${label} create`);
      assertOk(await client.createIndex({ collection_name: name, field_name: 'v', index_type: indexType, metric_type: metric, params: indexParams }), `${label} index`);
      assertOk(await client.loadCollection({ collection_name: name }));
      const rows = Array.from({ length: N }, (_, i) => ({ id: i, v: GEN[type](), tag: i % 4 }));
      for (let i = 0; i < N; i += 1000) assertOk(await client.insert({ collection_name: name, data: rows.slice(i, i + 1000) }), `${label} insert`);
      made.push({ label, name, type, metric, rows, queries: Array.from({ length: NQ }, () => GEN[type]()), searchParams, check });
    }
    for (const c of made) {
      await waitIndexed(c.name);
      const got = await searchAll(c, c.searchParams);
      if (c.check.exact) {
        c.queries.forEach((q, i) => {
          const want = truthOf(c, q);
          assert.equal(got[i].length, want.length, `${c.label}: hits of query ${i}`);
          got[i].forEach((h, j) => assert.ok(Math.abs(h.score - want[j].score) < 1e-3 * Math.max(1, Math.abs(want[j].score)),
            `${c.label}: query ${i} hit ${j} score ${h.score} vs ${want[j].score}`));
        });
      }
      if (['HNSW_SQ', 'HNSW_PQ', 'IVF_SQ8', 'IVF_PQ'].some(t => c.label.includes(t))) {
        // Quantised indexes: every hit is rescored exactly from the raw vectors.
        const m = METRIC[c.metric];
        const byId = new Map(c.rows.map(r => [r.id, r.v]));
        c.queries.forEach((q, i) => got[i].forEach(h => {
          const truth = m.fn(q, byId.get(h.id));
          assert.ok(Math.abs(h.score - truth) < 1e-3 * Math.max(1, Math.abs(truth)), `${c.label}: id ${h.id} score ${h.score} vs exact ${truth}`);
        }));
      }
      const recall = recallOf(c, got);
      console.log(`# ${c.label}: recall@10 ${recall.toFixed(3)}`);
      if (c.check.recall) assert.ok(recall >= c.check.recall, `${c.label}: recall ${recall} < ${c.check.recall}`);
      if (c.check.probeOneBelow) {
        // One list of sixteen: the index, not a scan, answered.
        const one = recallOf(c, await searchAll(c, { nprobe: 1 }));
        console.log(`# ${c.label}: nprobe=1 recall@10 ${one.toFixed(3)}`);
        assert.ok(one < c.check.probeOneBelow, `${c.label}: nprobe=1 recall ${one} looks like an exact scan`);
      }
      // A filter through the index: only matching rows, as many as asked.
      const res = await client.search({ collection_name: c.name, anns_field: 'v', data: [c.queries[0]], limit: 10, filter: 'tag == 2', params: c.searchParams, output_fields: ['tag'] });
      assertOk(res);
      assert.ok(res.results.length === 10 || c.type === DataType.SparseFloatVector, `${c.label}: ${res.results.length} filtered hits`);
      assert.ok(res.results.every(r => Number(r.tag) === 2), `${c.label}: a filtered-out row came back`);
      c.before = got;
    }
  });

  it('saved indexes are loaded, not rebuilt, after a restart, and answer identically', async () => {
    assert.ok(made.length === CASES.length, 'needs the previous test');
    // Each index is saved once it has caught up with the rows.
    for (let t = 0; t < 300; t++) {
      if (made.every(c => server.logs().includes(`collection ${c.name} field 101: saved`))) break;
      await sleep(100);
    }
    for (const c of made) assert.ok(server.logs().includes(`collection ${c.name} field 101: saved`), `${c.label}: index not saved`);
    const mark = server.logs().length;
    await server.restart();
    await reconnect();
    for (const c of made) await waitIndexed(c.name);
    const since = server.logs().slice(mark);
    for (const c of made) {
      assert.ok(since.includes(`collection ${c.name} field 101: loaded saved`), `${c.label}: saved index not loaded`);
      assert.deepEqual(await searchAll(c, c.searchParams), c.before, `${c.label}: results changed across the restart`);
    }
  });

  it('a damaged index file is reported and rebuilt, never served; dropping an index removes its file', async () => {
    const c = made.find(x => x.label === 'float IVF_FLAT L2');
    const desc = await client.describeCollection({ collection_name: c.name });
    const dir = path.join(server.dataDir, 'objects', `coll-${desc.collectionID}`);
    // The object store removes a collection's directory once its last object is gone.
    const idxFiles = () => (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter(f => f.startsWith('idx-'));
    assert.equal(idxFiles().length, 1);
    await server.stop();
    const file = path.join(dir, idxFiles()[0]);
    const bytes = fs.readFileSync(file);
    bytes[Math.floor(bytes.length / 2)] ^= 0x20;
    fs.writeFileSync(file, bytes);
    const mark = server.logs().length;
    await server.start();
    await reconnect();
    await waitIndexed(c.name);
    const since = server.logs().slice(mark);
    assert.match(since, new RegExp(`collection ${c.name} field 101: saved index .* not used, rebuilding`));
    const got = await searchAll(c, c.searchParams);
    c.queries.forEach((q, i) => got[i].forEach((h, j) => assert.ok(Math.abs(h.score - truthOf(c, q)[j].score) < 1e-3)));

    assertOk(await client.releaseCollection({ collection_name: c.name }));
    assertOk(await client.dropIndex({ collection_name: c.name, field_name: 'v' }));
    for (let t = 0; t < 100 && idxFiles().length > 0; t++) await sleep(100);
    assert.deepEqual(idxFiles(), []);
  });
});
