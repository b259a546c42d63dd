// Scalar indexes through the Node SDK: two collections with the same rows, one with a scalar
// index of every kind (STL_SORT, INVERTED, BITMAP, Trie, AUTOINDEX, JSON path indexes with each
// scalar and array cast, an index on a dynamic-field key), the other with none. After a flush
// the indexes are built (describe_index counts them), and every filter returns the same rows
// from both collections as computed here; again with unflushed rows on top (scanned), and
// after a restart (indexes rebuilt from the persisted rows). Also CreateIndex's type checks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { uniq, newClient, assertOk, closeClients, DataType } from './lib/helpers.mjs';
import { QuiverServer } from './lib/server.mjs';
import { rng } from './lib/data.mjs';

const N = 3000, EXTRA = 400;
const rand = rng(33);
const pick = a => a[Math.floor(rand() * a.length)];
const CATS = ['red', 'green', 'blue', 'black'];

function makeRow(id) {
  const row = {
    id,
    v: [rand(), rand(), rand(), rand()],
    i: (id * 7919) % 5000,
    i2: id % 97,
    i8: rand() < 0.1 ? null : Math.floor(rand() * 9) - 4,
    f: Math.floor(rand() * 16) / 8,  // exact in float32
    d: rand() < 0.15 ? null : Math.floor(rand() * 400) / 4,
    s: `${pick(['ab', 'ac', 'b', 'x'])}${id % 50}`,
    cat: pick(CATS),
    b: rand() < 0.3,
    tags: Array.from({ length: Math.floor(rand() * 4) }, () => `t${Math.floor(rand() * 6)}`),
    nums: Array.from({ length: Math.floor(rand() * 5) }, () => Math.floor(rand() * 60)),
  };
  const meta = {};
  const r = rand();
  if (r < 0.7) meta.a = Math.floor(rand() * 40) - 5;
  else if (r < 0.8) meta.a = String(Math.floor(rand() * 10));  // a string: not a DOUBLE key
  else if (r < 0.85) meta.a = null;
  if (rand() < 0.8) meta.c = `k${Math.floor(rand() * 30)}`;
  if (rand() < 0.6) meta.arr = Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 8));
  // (A null JSON value is not sent as null by the Node SDK 2.6.17: it sends empty bytes marked
  // valid. An empty object stands in for it; nullable scalars cover nulls.)
  row.meta = rand() < 0.05 ? {} : meta;
  if (rand() < 0.7) row.color = pick(CATS);  // dynamic keys
  if (rand() < 0.5) row.size = Math.floor(rand() * 12);
  return row;
}

// Three-valued logic as Milvus: undefined = unknown (null field, missing or mistyped JSON value).
const U = undefined;
const known = x => x !== null && x !== undefined;
const cmp = (x, f) => (known(x) ? f(x) : U);
const num = (x, f) => (typeof x === 'number' ? f(x) : U);
const str = (x, f) => (typeof x === 'string' ? f(x) : U);
const and = (...xs) => (xs.some(x => x === false) ? false : xs.every(x => x === true) ? true : U);
const or = (...xs) => (xs.some(x => x === true) ? true : xs.every(x => x === false) ? false : U);
const not = x => (x === U ? U : !x);
const metaOf = r => r.meta ?? undefined;
const present = (r, k) => metaOf(r) !== undefined && known(r.meta[k]);

// [filter, predicate]
const QUERIES = [
  ['i > 4000', r => r.i > 4000],
  ['i in [0, 7, 7919, 4999, 123456]', r => [0, 7, 7919, 4999].includes(r.i)],
  ['100 <= i < 200', r => r.i >= 100 && r.i < 200],
  ['i != 7', r => r.i !== 7],
  ['i2 % 7 == 3 and i < 1000', r => r.i2 % 7 === 3 && r.i < 1000],
  ['i2 >= 90 or i2 == 1', r => r.i2 >= 90 || r.i2 === 1],
  ['i8 == 3', r => cmp(r.i8, x => x === 3)],
  ['i8 is null', r => r.i8 === null],
  ['i8 is not null and i8 in [1, 2]', r => r.i8 !== null && [1, 2].includes(r.i8)],
  ['not (i8 > 0)', r => not(cmp(r.i8, x => x > 0))],
  ['f > 1.5', r => r.f > 1.5],
  ['f <= 0.25 and f != 0', r => r.f <= 0.25 && r.f !== 0],
  ['f in [0.5, 1.125]', r => r.f === 0.5 || r.f === 1.125],
  ['d < 10.5', r => cmp(r.d, x => x < 10.5)],
  ['1.5 < d <= 20', r => cmp(r.d, x => x > 1.5 && x <= 20)],
  ['d is null or d > 99', r => or(r.d === null, cmp(r.d, x => x > 99))],
  ['s like "ab%"', r => r.s.startsWith('ab')],
  ['s like "%9"', r => r.s.endsWith('9')],
  ['s like "a_1%"', r => /^a.1/.test(r.s)],
  ['s == "x42"', r => r.s === 'x42'],
  ['s > "b" and s < "b3"', r => r.s > 'b' && r.s < 'b3'],
  ['s in ["ab1", "ac2", "zz"]', r => ['ab1', 'ac2'].includes(r.s)],
  ['cat in ["red", "green"]', r => r.cat === 'red' || r.cat === 'green'],
  ['cat != "blue"', r => r.cat !== 'blue'],
  ['b == true and i < 1000', r => r.b && r.i < 1000],
  ['b != true', r => !r.b],
  ['array_contains(tags, "t3")', r => r.tags.includes('t3')],
  ['array_contains_all(tags, ["t1", "t2"])', r => r.tags.includes('t1') && r.tags.includes('t2')],
  ['array_contains_any(nums, [5, 50])', r => r.nums.includes(5) || r.nums.includes(50)],
  ['not array_contains(nums, 7)', r => !r.nums.includes(7)],
  ['meta["a"] > 10', r => (metaOf(r) ? num(r.meta.a, x => x > 10) : U)],
  ['meta["a"] == 5', r => (metaOf(r) ? num(r.meta.a, x => x === 5) : U)],
  ['-2 <= meta["a"] < 3', r => (metaOf(r) ? num(r.meta.a, x => x >= -2 && x < 3) : U)],
  ['meta["a"] in [1, 2, 30]', r => (present(r, 'a') ? [1, 2, 30].includes(r.meta.a) : U)],
  ['not (meta["a"] < 0)', r => not(metaOf(r) ? num(r.meta.a, x => x < 0) : U)],
  ['exists meta["a"]', r => present(r, 'a')],
  ['meta["c"] like "k1%"', r => (metaOf(r) ? str(r.meta.c, x => x.startsWith('k1')) : U)],
  ['meta["c"] == "k7" or meta["c"] == "k8"', r => (metaOf(r) ? str(r.meta.c, x => x === 'k7' || x === 'k8') : U)],
  ['json_contains(meta["arr"], 3)', r => (metaOf(r) && Array.isArray(r.meta.arr) ? r.meta.arr.includes(3) : U)],
  ['json_contains_all(meta["arr"], [1, 2])', r => (metaOf(r) && Array.isArray(r.meta.arr) ? r.meta.arr.includes(1) && r.meta.arr.includes(2) : U)],
  ['color == "red"', r => str(r.color, x => x === 'red')],
  ['size >= 5 and color in ["red", "blue"]', r => and(num(r.size, x => x >= 5), str(r.color, x => x === 'red' || x === 'blue'))],
  ['not (i > 100 or cat == "red")', r => not(r.i > 100 || r.cat === 'red')],
  ['(i8 > 0 or d < 5) and cat == "black" and array_length(tags) > 0',
    r => and(or(cmp(r.i8, x => x > 0), cmp(r.d, x => x < 5)), r.cat === 'black', r.tags.length > 0)],
];

const SCALAR_INDEXES = [
  { field_name: 'i', index_type: 'STL_SORT' },
  { field_name: 'i2', index_type: 'INVERTED' },
  { field_name: 'i8', index_type: 'BITMAP' },
  { field_name: 'f', index_type: 'INVERTED' },
  { field_name: 'd', index_type: 'STL_SORT' },
  { field_name: 's', index_type: 'Trie' },
  { field_name: 'cat', index_type: 'AUTOINDEX' },
  { field_name: 'b', index_type: 'BITMAP' },
  { field_name: 'tags', index_type: 'BITMAP' },
  { field_name: 'nums', index_type: 'INVERTED' },
  { field_name: 'meta', index_type: 'INVERTED', index_name: 'meta_a', params: { json_path: 'meta["a"]', json_cast_type: 'double' } },
  { field_name: 'meta', index_type: 'INVERTED', index_name: 'meta_c', params: { json_path: 'meta["c"]', json_cast_type: 'VARCHAR' } },
  { field_name: 'meta', index_type: 'INVERTED', index_name: 'meta_arr', params: { json_path: 'meta["arr"]', json_cast_type: 'ARRAY_DOUBLE' } },
  { field_name: 'color', index_type: 'INVERTED', index_name: 'color_idx', params: { json_cast_type: 'VARCHAR' } },
];

const FIELDS = [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true },
  { name: 'v', data_type: DataType.FloatVector, dim: 4 },
  { name: 'i', data_type: DataType.Int64 },
  { name: 'i2', data_type: DataType.Int32 },
  { name: 'i8', data_type: DataType.Int8, nullable: true },
  { name: 'f', data_type: DataType.Float },
  { name: 'd', data_type: DataType.Double, nullable: true },
  { name: 's', data_type: DataType.VarChar, max_length: 32 },
  { name: 'cat', data_type: DataType.VarChar, max_length: 16 },
  { name: 'b', data_type: DataType.Bool },
  { name: 'tags', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 8, max_length: 8 },
  { name: 'nums', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 8 },
  { name: 'meta', data_type: DataType.JSON },
];

const sleep = ms => new Promise(r => setTimeout(r, ms));

describe('scalar indexes', () => {
  let server, client;
  const indexed = uniq('sidx'), plain = uniq('plain');
  const rows = Array.from({ length: N }, (_, i) => makeRow(i));
  const extra = Array.from({ length: EXTRA }, (_, i) => makeRow(N + i));

  before(async () => {
    server = await QuiverServer.start();
    client = await newClient(server.address);
  });
  after(async () => {
    await closeClients([client]);
    if (server) { await server.stop(); server.cleanup(); }
  });

  async function describeAll(name) {
    const d = await client.describeIndex({ collection_name: name });
    assertOk(d);
    return d.index_descriptions;
  }
  async function waitScalarIndexed(name, want) {
    let last;
    for (let t = 0; t < 600; t++) {
      last = (await describeAll(name)).filter(x => x.field_name !== 'v');
      if (last.length === SCALAR_INDEXES.length && last.every(x => Number(x.indexed_rows) === want)) return last;
      await sleep(100);
    }
    assert.fail(`${name}: scalar indexes not built: ${JSON.stringify(last.map(x => [x.index_name, x.indexed_rows]))}`);
  }
  async function ids(name, filter) {
    const res = await client.query({ collection_name: name, filter, output_fields: ['id'], limit: 16384 });
    assertOk(res, `query ${filter}`);
    return res.data.map(r => Number(r.id)).sort((a, b) => a - b);
  }
  async function checkAll(all, label) {
    for (const [filter, pred] of QUERIES) {
      const want = all.filter(r => pred(r) === true).map(r => r.id);
      const got = await ids(indexed, filter);
      const base = await ids(plain, filter);
      assert.deepEqual(base, want, `${label}: ${filter} without indexes`);
      assert.deepEqual(got, want, `${label}: ${filter} with indexes`);
    }
  }

  it('builds every scalar index kind on flushed rows and answers every filter identically', async () => {
    for (const name of [indexed, plain]) {
      assertOk(await client.createCollection({ collection_name: name, fields: FIELDS, enable_dynamic_field: true }));
      assertOk(await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
    }
    for (const spec of SCALAR_INDEXES) {
      assertOk(await client.createIndex({ collection_name: indexed, ...spec }), `index on ${spec.field_name}`);
    }
    // The same definition again is accepted (idempotent); another path of the JSON field too.
    assertOk(await client.createIndex({ collection_name: indexed, ...SCALAR_INDEXES[10] }));
    for (const name of [indexed, plain]) {
      assertOk(await client.loadCollection({ collection_name: name }));
      for (let i = 0; i < N; i += 1000) assertOk(await client.insert({ collection_name: name, data: rows.slice(i, i + 1000) }));
      assertOk(await client.flushSync({ collection_names: [name] }));
    }
    const descs = await waitScalarIndexed(indexed, N);
    const byName = Object.fromEntries(descs.map(x => [x.index_name, x]));
    assert.equal(byName.meta_a.params.find(p => p.key === 'json_cast_type').value, 'DOUBLE');
    assert.ok(byName.color_idx, 'index on a dynamic key, named as asked');
    assert.equal(byName.color_idx.field_name, '$meta');
    await checkAll(rows, 'flushed');
  });

  it('scans rows not yet flushed beside the indexed ones', async () => {
    for (const name of [indexed, plain]) assertOk(await client.insert({ collection_name: name, data: extra }));
    const d = (await describeAll(indexed)).find(x => x.index_name === 's');
    assert.equal(Number(d.total_rows), N + EXTRA);
    assert.equal(Number(d.indexed_rows), N, 'unflushed rows are not indexed');
    await checkAll(rows.concat(extra), 'flushed + growing');
  });

  it('rebuilds the indexes after a restart and answers the same', async () => {
    await server.restart();
    await client.closeConnection();
    client = await newClient(server.address);
    await waitScalarIndexed(indexed, N);  // the unflushed rows came back from the WAL, unindexed
    await checkAll(rows.concat(extra), 'after restart');
    for (const name of [indexed, plain]) assertOk(await client.flushSync({ collection_names: [name] }));
    await waitScalarIndexed(indexed, N + EXTRA);
    await checkAll(rows.concat(extra), 'after restart and flush');
  });

  it('dropping a scalar index keeps the answers', async () => {
    assertOk(await client.releaseCollection({ collection_name: indexed }));
    assertOk(await client.dropIndex({ collection_name: indexed, field_name: 's', index_name: 's' }));
    assertOk(await client.loadCollection({ collection_name: indexed }));
    const left = (await describeAll(indexed)).map(x => x.index_name);
    assert.ok(!left.includes('s'));
    await checkAll(rows.concat(extra), 'after dropping the Trie');
  });

  it('rejects index types on fields they do not support, as Milvus 2.6', async () => {
    const name = uniq('bad');
    assertOk(await client.createCollection({ collection_name: name, fields: FIELDS, enable_dynamic_field: true }));
    const bad = [
      [{ field_name: 'f', index_type: 'BITMAP' }, 'bitmap index are only supported on bool, int, string and array field'],
      [{ field_name: 'id', index_type: 'BITMAP' }, 'create bitmap index on primary key not supported'],
      [{ field_name: 'i', index_type: 'Trie' }, 'TRIE are only supported on varchar field'],
      [{ field_name: 'meta', index_type: 'STL_SORT' }, 'STL_SORT are only supported on numeric, varchar or timestamptz field, got JSON'],
      [{ field_name: 'tags', index_type: 'STL_SORT' }, 'STL_SORT are only supported on numeric, varchar or timestamptz field, got Array'],
      [{ field_name: 'meta', index_type: 'INVERTED' }, 'json index must specify cast type'],
      [{ field_name: 'meta', index_type: 'INVERTED', params: { json_path: 'meta["a"]', json_cast_type: 'INT' } }, 'json_cast_type INT is not supported'],
      [{ field_name: 'meta', index_type: 'INVERTED', params: { json_path: 'i', json_cast_type: 'DOUBLE' } }, 'fieldID not match with field name'],
      [{ field_name: 'i', index_type: 'HYBRID' }, 'invalid index type: HYBRID'],
    ];
    for (const [spec, message] of bad) {
      const st = await client.createIndex({ collection_name: name, ...spec });
      assert.equal(st.error_code, 'IllegalArgument', `${JSON.stringify(spec)}: ${JSON.stringify(st)}`);
      assert.ok(st.reason.includes(message), `${JSON.stringify(spec)}: ${st.reason}`);
    }
  });
});
