// Insert + query round trips: every field type comes back exactly as written (Int64 and
// VarChar primary keys, all scalars, JSON, arrays, nullable and default-valued fields,
// dynamic fields, every vector type), auto_id, count(*), limit/offset pagination, query
// errors, partitions, partition keys, and insert validation (nothing is written on error).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, assertErr, uniq, DataType, rawCall } from './lib/helpers.mjs';
import { countRows, sortNum } from './lib/data.mjs';

const int8Out = { [DataType.Int8Vector]: b => Array.from(new Int8Array(b.buffer, b.byteOffset, b.byteLength)) };

// ---------- collection "all": Int64 pk, every scalar type, 4 vector fields, dynamic ----------
const ALL_ROWS = 24;
const I64_EXTREMES = ['9223372036854775807', '-9223372036854775808', '9007199254740993'];
const STRINGS = ['', 'plain ascii', '名字-中文-日本語-한국어', 'emoji 😀🚀👩‍👩‍👧', 'quote " backslash \\ tab \t nl \n', 'ünïcödé ñ'];
const JSONS = [
  { a: 1, b: 'x' },
  { nested: { deep: { deeper: [1, 2, { k: 'v' }] } }, flag: true, nil: null },
  [1, 'two', { three: 3 }],
  { uni: '中文😀', arr: [], obj: {}, num: -1.5e10, big: 1234567890123 },
];

function allRow(i) {
  const row = {
    id: i,
    b: i % 3 === 0,
    i8: [-128, 127, 0, -1][i % 4],
    i16: [-32768, 32767, 0, 1234][i % 4],
    i32: [-2147483648, 2147483647, 0, 42][i % 4],
    i64: I64_EXTREMES[i % 3],
    f: [1.5, -0.1, 3.4028234663852886e38, 1e-30][i % 4],
    d: [Math.PI, -Number.MAX_VALUE, 5e-324, 0.1 + 0.2][i % 4],
    s: `${STRINGS[i % STRINGS.length]}#${i}`,
    j: JSONS[i % JSONS.length],
    a_i64: i % 5 === 0 ? [] : Array.from({ length: (i % 4) + 1 }, (_, k) => k * 1000 - i),
    a_s: i % 6 === 0 ? [] : ['α', `β${i}`, '😀'].slice(0, (i % 3) + 1),
    a_f: i % 7 === 0 ? [] : [0.5, -2.25, i + 0.125],
    a_b: i % 4 === 0 ? [] : [true, false, i % 2 === 0],
    n_i32: i % 3 === 1 ? null : i * 7,
    n_s: i % 2 === 0 ? null : `ns${i}`,
    n_a: i % 4 === 2 ? null : [i],
    fv: [i, -i - 1, i / 4, 0.5].map(Math.fround),
    bv: [i % 256, (255 - i) % 256],
    f16: [0.5, -1.25, i % 8, 0.125],
    sv: { [i]: 0.5, [i + 1000]: -1.25, [4000000000 + i]: 2 },
    color: i % 2 ? 'red' : '红色',
    dyn_num: i * 10,
    dyn_obj: { k: [i, 'v'] },
  };
  // Default-valued fields: omitted in even rows (-> default), explicit in odd rows.
  if (i % 2 === 1) {
    row.def_i = -i;
    row.def_s = `given${i}`;
  }
  return row;
}

function checkAllRow(got, { vectors = true, dynamic = true } = {}) {
  const i = Number(got.id);
  const w = allRow(i);
  const what = `row ${i}`;
  assert.equal(got.b, w.b, `${what} b`);
  assert.equal(got.i8, w.i8, `${what} i8`);
  assert.equal(got.i16, w.i16, `${what} i16`);
  assert.equal(got.i32, w.i32, `${what} i32`);
  assert.equal(String(got.i64), w.i64, `${what} i64`);
  assert.equal(got.f, Math.fround(w.f), `${what} f`);
  assert.equal(got.d, w.d, `${what} d`);
  assert.equal(got.s, w.s, `${what} s`);
  assert.deepEqual(got.j, w.j, `${what} j`);
  assert.deepEqual(got.a_i64.map(String), w.a_i64.map(String), `${what} a_i64`);
  assert.deepEqual(got.a_s, w.a_s, `${what} a_s`);
  assert.deepEqual(got.a_f, w.a_f.map(Math.fround), `${what} a_f`);
  assert.deepEqual(got.a_b, w.a_b, `${what} a_b`);
  assert.equal(got.n_i32, w.n_i32, `${what} n_i32`);
  assert.equal(got.n_s, w.n_s, `${what} n_s`);
  assert.deepEqual(got.n_a === null ? null : got.n_a.map(Number), w.n_a, `${what} n_a`);
  assert.equal(String(got.def_i), String(i % 2 ? -i : 42), `${what} def_i`);
  assert.equal(got.def_s, i % 2 ? `given${i}` : 'dflt', `${what} def_s`);
  if (vectors) {
    assert.deepEqual(got.fv, w.fv, `${what} fv`);
    assert.deepEqual(Array.from(got.bv), w.bv, `${what} bv`);
    assert.deepEqual(Array.from(got.f16), w.f16, `${what} f16`);
    assert.deepEqual(got.sv, Object.fromEntries(Object.entries(w.sv).map(([k, v]) => [String(k), v])), `${what} sv`);
  }
  if (dynamic) {
    assert.deepEqual(got.$meta, { color: w.color, dyn_num: w.dyn_num, dyn_obj: w.dyn_obj }, `${what} $meta`);
  }
}

// ---------- collection "vec2": the other vector types (Milvus allows 4 vector fields) ----------
function vec2Row(i) {
  return {
    id: i,
    bf16: [1.5, -2, 0.25, i % 16],
    i8v: [-128, 127, 0, (i % 200) - 100],
  };
}

describe('insert + query round trip', () => {
  const ctx = useServer({ before, after });
  const all = uniq('all');
  const vec2 = uniq('vec2');
  const strpk = uniq('strpk');

  before(async () => {
    const c = ctx.client;
    assertOk(await c.createCollection({
      collection_name: all,
      enable_dynamic_field: true,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
        { name: 'b', data_type: DataType.Bool },
        { name: 'i8', data_type: DataType.Int8 },
        { name: 'i16', data_type: DataType.Int16 },
        { name: 'i32', data_type: DataType.Int32 },
        { name: 'i64', data_type: DataType.Int64 },
        { name: 'f', data_type: DataType.Float },
        { name: 'd', data_type: DataType.Double },
        { name: 's', data_type: DataType.VarChar, max_length: 256 },
        { name: 'j', data_type: DataType.JSON },
        { name: 'a_i64', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 8 },
        { name: 'a_s', data_type: DataType.Array, element_type: DataType.VarChar, max_capacity: 8, max_length: 16 },
        { name: 'a_f', data_type: DataType.Array, element_type: DataType.Float, max_capacity: 8 },
        { name: 'a_b', data_type: DataType.Array, element_type: DataType.Bool, max_capacity: 8 },
        { name: 'n_i32', data_type: DataType.Int32, nullable: true },
        { name: 'n_s', data_type: DataType.VarChar, max_length: 32, nullable: true },
        { name: 'n_a', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 4, nullable: true },
        { name: 'def_i', data_type: DataType.Int64, default_value: 42 },
        { name: 'def_s', data_type: DataType.VarChar, max_length: 32, default_value: 'dflt' },
        { name: 'fv', data_type: DataType.FloatVector, dim: 4 },
        { name: 'bv', data_type: DataType.BinaryVector, dim: 16 },
        { name: 'f16', data_type: DataType.Float16Vector, dim: 4 },
        { name: 'sv', data_type: DataType.SparseFloatVector },
      ],
    }), 'create all-types collection');
    assertOk(await c.createIndex([
      { collection_name: all, field_name: 'fv', index_type: 'FLAT', metric_type: 'L2' },
      { collection_name: all, field_name: 'bv', index_type: 'BIN_FLAT', metric_type: 'HAMMING' },
      { collection_name: all, field_name: 'f16', index_type: 'FLAT', metric_type: 'IP' },
      { collection_name: all, field_name: 'sv', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP' },
    ]), 'indexes');
    assertOk(await c.loadCollection({ collection_name: all }), 'load all');

    assertOk(await c.createCollection({
      collection_name: vec2,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'bf16', data_type: DataType.BFloat16Vector, dim: 4 },
        { name: 'i8v', data_type: DataType.Int8Vector, dim: 4 },
      ],
    }), 'create vec2');
    assertOk(await c.createIndex([
      { collection_name: vec2, field_name: 'bf16', index_type: 'FLAT', metric_type: 'L2' },
      { collection_name: vec2, field_name: 'i8v', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } },
    ]), 'vec2 indexes');
    assertOk(await c.loadCollection({ collection_name: vec2 }), 'load vec2');

    assertOk(await c.createCollection({
      collection_name: strpk,
      consistency_level: 'Strong',
      fields: [
        { name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 64 },
        { name: 'n', data_type: DataType.Int32 },
        { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      ],
    }), 'create strpk');
    assertOk(await c.createIndex({ collection_name: strpk, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: strpk }));
  });

  it('insert of every field type reports insert_cnt and the ids in input order', async () => {
    const rows = Array.from({ length: ALL_ROWS }, (_, i) => allRow(i));
    const res = await ctx.client.insert({ collection_name: all, data: rows });
    assertOk(res, 'insert all');
    assert.equal(Number(res.insert_cnt), ALL_ROWS);
    assert.deepEqual(res.IDs.int_id.data.map(Number), rows.map(r => r.id));
    assert.deepEqual((res.succ_index || []).map(Number), rows.map((_, i) => i));
    assert.ok(BigInt(res.timestamp) > 0n, 'MutationResult.timestamp is set');
    assert.equal(await countRows(ctx.client, all), ALL_ROWS);
  });

  it('query with output_fields ["*"] returns every field exactly as written', async () => {
    const res = await ctx.client.query({ collection_name: all, output_fields: ['*'], limit: 100 });
    assertOk(res, 'query *');
    assert.equal(res.data.length, ALL_ROWS);
    assert.deepEqual(sortNum(res.data.map(r => r.id)), Array.from({ length: ALL_ROWS }, (_, i) => i));
    for (const got of res.data) checkAllRow(got);
  });

  it('query by filter returns exactly the same values', async () => {
    const res = await ctx.client.query({ collection_name: all, filter: 'id >= 0', output_fields: ['*'], limit: 100 });
    assertOk(res, 'query id >= 0');
    assert.equal(res.data.length, ALL_ROWS);
    for (const got of res.data) checkAllRow(got);
  });

  it('get by ids (pk in [...]) returns the requested rows', async () => {
    const res = await ctx.client.get({ collection_name: all, ids: [3, 7, 100], output_fields: ['*'] });
    assertOk(res, 'get');
    assert.deepEqual(sortNum(res.data.map(r => r.id)), [3, 7]);
    for (const got of res.data) checkAllRow(got);
  });

  it('scalar-only output fields: vectors are not returned, the pk always is', async () => {
    const res = await ctx.client.query({ collection_name: all, output_fields: ['s', 'n_i32'], limit: 100 });
    assertOk(res);
    assert.equal(res.data.length, ALL_ROWS);
    for (const got of res.data) {
      assert.deepEqual(Object.keys(got).sort(), ['id', 'n_i32', 's']);
      const w = allRow(Number(got.id));
      assert.equal(got.s, w.s);
      assert.equal(got.n_i32, w.n_i32);
    }
  });

  it('nullable fields come back as null; filters see them as null', async () => {
    const res = await ctx.client.query({ collection_name: all, filter: 'n_i32 is null', output_fields: ['n_i32', 'n_s'], limit: 100 });
    assertOk(res, 'n_i32 is null');
    const want = Array.from({ length: ALL_ROWS }, (_, i) => i).filter(i => i % 3 === 1);
    assert.deepEqual(sortNum(res.data.map(r => r.id)), want);
    for (const r of res.data) assert.equal(r.n_i32, null);
    const nn = await ctx.client.query({ collection_name: all, filter: 'n_s is not null', output_fields: ['n_s'], limit: 100 });
    assertOk(nn, 'n_s is not null');
    assert.deepEqual(sortNum(nn.data.map(r => r.id)), Array.from({ length: ALL_ROWS }, (_, i) => i).filter(i => i % 2 === 1));
  });

  it('default values fill omitted fields and are filterable', async () => {
    const res = await ctx.client.query({ collection_name: all, filter: 'def_i == 42 and def_s == "dflt"', output_fields: ['def_i', 'def_s'], limit: 100 });
    assertOk(res, 'default filter');
    assert.deepEqual(sortNum(res.data.map(r => r.id)), Array.from({ length: ALL_ROWS }, (_, i) => i).filter(i => i % 2 === 0));
  });

  it('dynamic fields: keys by name, $meta, and filters on dynamic keys', async () => {
    const c = ctx.client;
    const byKey = await c.query({ collection_name: all, output_fields: ['color', 'dyn_num'], limit: 100 });
    assertOk(byKey, 'query dynamic keys');
    assert.equal(byKey.data.length, ALL_ROWS);
    for (const r of byKey.data) {
      const w = allRow(Number(r.id));
      assert.equal(r.$meta.color, w.color);
      assert.equal(r.$meta.dyn_num, w.dyn_num);
    }
    const meta = await c.query({ collection_name: all, output_fields: ['$meta'], limit: 100 });
    assertOk(meta, 'query $meta');
    for (const r of meta.data) {
      const w = allRow(Number(r.id));
      assert.deepEqual(r.$meta, { color: w.color, dyn_num: w.dyn_num, dyn_obj: w.dyn_obj });
    }
    const f = await c.query({ collection_name: all, filter: 'color == "红色" and dyn_num >= 100', output_fields: ['id'], limit: 100 });
    assertOk(f, 'filter on dynamic key');
    assert.deepEqual(sortNum(f.data.map(r => r.id)), [10, 12, 14, 16, 18, 20, 22]);
    const nested = await c.query({ collection_name: all, filter: 'dyn_obj["k"][0] == 5', output_fields: ['id'], limit: 100 });
    assertOk(nested, 'filter on nested dynamic key');
    assert.deepEqual(sortNum(nested.data.map(r => r.id)), [5]);
  });

  it('count(*) with and without a filter', async () => {
    assert.equal(await countRows(ctx.client, all), ALL_ROWS);
    assert.equal(await countRows(ctx.client, all, { filter: 'b == true' }), Math.ceil(ALL_ROWS / 3));
    const res = await ctx.client.count({ collection_name: all });
    assertOk(res);
    assert.equal(res.data, ALL_ROWS);
  });

  it('BFloat16Vector and Int8Vector round trip exactly', async () => {
    const rows = Array.from({ length: 10 }, (_, i) => vec2Row(i));
    const ins = await ctx.client.insert({ collection_name: vec2, data: rows });
    assertOk(ins, 'insert vec2');
    assert.equal(Number(ins.insert_cnt), 10);
    const res = await ctx.client.query({ collection_name: vec2, output_fields: ['*'], limit: 100, transformers: int8Out });
    assertOk(res, 'query vec2');
    assert.equal(res.data.length, 10);
    for (const got of res.data) {
      const w = vec2Row(Number(got.id));
      assert.deepEqual(Array.from(got.bf16), w.bf16, `bf16 of ${got.id}`);
      assert.deepEqual(got.i8v, w.i8v, `i8v of ${got.id}`);
    }
  });

  it('VarChar primary keys (unicode) round trip; get by string ids', async () => {
    const keys = ['a', 'ключ', '键-中文', '😀-emoji', 'with space', 'x'.repeat(64)];
    const res = await ctx.client.insert({ collection_name: strpk, data: keys.map((pk, n) => ({ pk, n, vector: [n, -n] })) });
    assertOk(res, 'insert strpk');
    assert.deepEqual(res.IDs.str_id.data, keys);
    assert.equal(await countRows(ctx.client, strpk), keys.length);
    const q = await ctx.client.query({ collection_name: strpk, output_fields: ['*'], limit: 100 });
    assertOk(q);
    assert.deepEqual(q.data.map(r => r.pk).sort(), [...keys].sort());
    for (const r of q.data) {
      const n = keys.indexOf(r.pk);
      assert.equal(r.n, n);
      assert.deepEqual(r.vector, [n, -n]);
    }
    const got = await ctx.client.get({ collection_name: strpk, ids: ['ключ', '😀-emoji', 'missing'], output_fields: ['n'] });
    assertOk(got, 'get by string ids');
    assert.deepEqual(got.data.map(r => [r.pk, r.n]).sort(), [['ключ', 1], ['😀-emoji', 3]].sort());
  });

  it('auto_id: insert returns generated unique ids; count and get match', async () => {
    const c = ctx.client;
    const name = uniq('auto');
    assertOk(await c.createCollection({
      collection_name: name,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: true },
        { name: 'tag', data_type: DataType.Int32 },
        { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      ],
    }));
    assertOk(await c.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: name }));
    const ids = [];
    for (let batch = 0; batch < 2; batch++) {
      const res = await c.insert({ collection_name: name, data: Array.from({ length: 50 }, (_, k) => ({ tag: batch * 50 + k, vector: [k, batch] })) });
      assertOk(res, 'auto_id insert');
      assert.equal(Number(res.insert_cnt), 50);
      assert.equal(res.IDs.int_id.data.length, 50);
      ids.push(...res.IDs.int_id.data.map(String));
    }
    assert.equal(new Set(ids).size, 100, 'auto ids are unique');
    assert.equal(await countRows(c, name), 100);
    const got = await c.get({ collection_name: name, ids: [ids[0], ids[77]], output_fields: ['tag'] });
    assertOk(got, 'get auto ids');
    assert.deepEqual(got.data.map(r => [String(r.id), r.tag]).sort(), [[ids[0], 0], [ids[77], 77]].sort());
  });

  it('limit/offset pagination walks every row once, in primary-key order', async () => {
    const c = ctx.client;
    const name = uniq('page');
    assertOk(await c.createCollection({ collection_name: name, consistency_level: 'Strong',
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'vector', data_type: DataType.FloatVector, dim: 2 }] }));
    assertOk(await c.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: name }));
    assertOk(await c.insert({ collection_name: name, data: Array.from({ length: 95 }, (_, i) => ({ id: i * 3, vector: [i, i] })) }));
    const seen = [];
    for (let offset = 0; ; offset += 10) {
      const res = await c.query({ collection_name: name, output_fields: ['id'], limit: 10, offset });
      assertOk(res, `page at ${offset}`);
      seen.push(...res.data.map(r => Number(r.id)));
      if (res.data.length < 10) break;
    }
    assert.deepEqual(seen, Array.from({ length: 95 }, (_, i) => i * 3));
    const page = await c.query({ collection_name: name, filter: 'id >= 30', output_fields: ['id'], limit: 4, offset: 2 });
    assertOk(page, 'filtered page');
    assert.deepEqual(page.data.map(r => Number(r.id)), [36, 39, 42, 45]);
    const beyond = await c.query({ collection_name: name, output_fields: ['id'], limit: 10, offset: 1000 });
    assertOk(beyond, 'offset past the end');
    assert.equal(beyond.data.length, 0);
  });

  it('query without filter and without limit fails with code 1100', async () => {
    const res = await ctx.client.query({ collection_name: all, output_fields: ['id'] });
    assertErr(res, { code: 1100, reason: /limit/ }, 'query without filter or limit');
  });

  it('limit + offset above 16384 fails', async () => {
    const c = ctx.client;
    assertErr(await c.query({ collection_name: all, output_fields: ['id'], limit: 16385 }), {}, 'limit 16385');
    assertErr(await c.query({ collection_name: all, filter: 'id >= 0', output_fields: ['id'], limit: 16000, offset: 385 }), {}, 'limit+offset 16385');
    assertOk(await c.query({ collection_name: all, output_fields: ['id'], limit: 16000, offset: 384 }), 'limit+offset 16384');
  });

  it('query on a released collection fails with code 101', async () => {
    const c = ctx.client;
    const name = uniq('rel');
    assertOk(await c.createCollection({ collection_name: name, dimension: 2, consistency_level: 'Strong' }));
    assertOk(await c.insert({ collection_name: name, data: [{ id: 1, vector: [1, 2] }] }));
    assertOk(await c.releaseCollection({ collection_name: name }));
    assertErr(await c.query({ collection_name: name, output_fields: ['id'], limit: 10 }), { code: 101 }, 'query released');
    assertErr(await c.query({ collection_name: name, output_fields: ['count(*)'] }), { code: 101 }, 'count released');
    // Inserting into a released collection is allowed; the row is there after loading again.
    assertOk(await c.insert({ collection_name: name, data: [{ id: 2, vector: [3, 4] }] }), 'insert into released');
    assertOk(await c.loadCollection({ collection_name: name }));
    assert.equal(await countRows(c, name), 2);
  });

  it('insert into a named partition; query by partition_names', async () => {
    const c = ctx.client;
    const name = uniq('parts');
    assertOk(await c.createCollection({ collection_name: name, dimension: 2, consistency_level: 'Strong' }));
    assertOk(await c.createPartition({ collection_name: name, partition_name: 'p1' }));
    assertOk(await c.insert({ collection_name: name, data: [1, 2, 3].map(id => ({ id, vector: [id, 0] })) }), 'insert _default');
    assertOk(await c.insert({ collection_name: name, partition_name: 'p1', data: [10, 11].map(id => ({ id, vector: [id, 1] })) }), 'insert p1');
    const p1 = await c.query({ collection_name: name, partition_names: ['p1'], output_fields: ['id'], limit: 100 });
    assertOk(p1);
    assert.deepEqual(sortNum(p1.data.map(r => r.id)), [10, 11]);
    const def = await c.query({ collection_name: name, partition_names: ['_default'], output_fields: ['id'], limit: 100 });
    assertOk(def);
    assert.deepEqual(sortNum(def.data.map(r => r.id)), [1, 2, 3]);
    assert.equal(await countRows(c, name), 5);
    assert.equal(await countRows(c, name, { partition_names: ['p1'] }), 2);
    const missing = await c.insert({ collection_name: name, partition_name: 'nope', data: [{ id: 99, vector: [0, 0] }] });
    assertErr(missing, { code: 200 }, 'insert into a missing partition');
    assert.equal(await countRows(c, name), 5);
  });

  it('partition-key collection routes rows to its partitions; counts are right', async () => {
    const c = ctx.client;
    const name = uniq('pkey');
    assertOk(await c.createCollection({
      collection_name: name,
      consistency_level: 'Strong',
      num_partitions: 4,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'tenant', data_type: DataType.VarChar, max_length: 16, is_partition_key: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      ],
    }), 'create partition-key collection');
    const parts = await c.listPartitions({ collection_name: name });
    assertOk(parts);
    const partNames = parts.data.map(p => p.name ?? p).sort();
    assert.deepEqual(partNames, ['_default_0', '_default_1', '_default_2', '_default_3']);
    assertOk(await c.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: name }));
    const tenants = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];
    const rows = Array.from({ length: 100 }, (_, i) => ({ id: i, tenant: tenants[i % 5], vector: [i, 1] }));
    assertOk(await c.insert({ collection_name: name, data: rows }), 'insert partition-key rows');
    assert.equal(await countRows(c, name), 100);
    let sum = 0;
    for (const p of partNames) sum += await countRows(c, name, { partition_names: [p] });
    assert.equal(sum, 100, 'every row is in exactly one partition');
    const beta = await c.query({ collection_name: name, filter: 'tenant == "beta"', output_fields: ['id'], limit: 100 });
    assertOk(beta, 'filter on the partition key');
    assert.deepEqual(sortNum(beta.data.map(r => r.id)), rows.filter(r => r.tenant === 'beta').map(r => r.id));
    // Milvus rejects an explicit partition name on a partition-key collection.
    assertErr(await c.insert({ collection_name: name, partition_name: '_default_0', data: [{ id: 500, tenant: 'x', vector: [0, 0] }] }),
      {}, 'insert with partition_name into a partition-key collection');
    assert.equal(await countRows(c, name), 100);
  });

  describe('insert validation: bad batches are rejected whole', () => {
    const name = uniq('bad');
    const good = i => ({ id: i, n: i, s: `s${i}`, vector: [i, i, i, i] });

    before(async () => {
      const c = ctx.client;
      assertOk(await c.createCollection({
        collection_name: name,
        consistency_level: 'Strong',
        fields: [
          { name: 'id', data_type: DataType.Int64, is_primary_key: true },
          { name: 'n', data_type: DataType.Int32 },
          { name: 's', data_type: DataType.VarChar, max_length: 8 },
          { name: 'vector', data_type: DataType.FloatVector, dim: 4 },
        ],
      }));
      assertOk(await c.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
      assertOk(await c.loadCollection({ collection_name: name }));
      assertOk(await c.insert({ collection_name: name, data: [good(1), good(2)] }));
    });

    async function expectRejected(res, what) {
      assertErr(res, {}, what);
      assert.equal(await countRows(ctx.client, name), 2, `${what}: nothing may be inserted`);
    }

    it('wrong vector dimension', async () => {
      await expectRejected(await ctx.client.insert({ collection_name: name, data: [good(10), { ...good(11), vector: [1, 2, 3] }] }), 'one short vector');
      await expectRejected(await ctx.client.insert({ collection_name: name, data: [{ ...good(12), vector: [1, 2, 3, 4, 5] }, { ...good(13), vector: [1, 2, 3, 4, 5] }] }), 'all vectors too long');
    });

    it('missing required field', async () => {
      const { n, ...noN } = good(20);
      await expectRejected(await ctx.client.insert({ collection_name: name, data: [noN] }), 'missing scalar');
      const { vector, ...noVec } = good(21);
      await expectRejected(await ctx.client.insert({ collection_name: name, data: [noVec] }), 'missing vector');
    });

    it('VarChar longer than max_length', async () => {
      await expectRejected(await ctx.client.insert({ collection_name: name, data: [good(30), { ...good(31), s: '123456789' }] }), 'VarChar over max_length');
      // max_length counts bytes in Milvus: 3 CJK characters = 9 bytes > 8.
      await expectRejected(await ctx.client.insert({ collection_name: name, data: [{ ...good(32), s: '中文字' }] }), 'multibyte VarChar over max_length');
    });

    it('field data of the wrong type (raw Insert)', async () => {
      const res = await rawCall(ctx.client, 'Insert', {
        collection_name: name,
        num_rows: 1,
        fields_data: [
          { type: 'Int64', field_name: 'id', scalars: { long_data: { data: [40] } } },
          { type: 'VarChar', field_name: 'n', scalars: { string_data: { data: ['not a number'] } } },
          { type: 'VarChar', field_name: 's', scalars: { string_data: { data: ['ok'] } } },
          { type: 'FloatVector', field_name: 'vector', vectors: { dim: 4, float_vector: { data: [1, 2, 3, 4] } } },
        ],
      });
      await expectRejected(res, 'VarChar data for an Int32 field');
    });

    it('a field that is not in the schema (no dynamic field)', async () => {
      const res = await rawCall(ctx.client, 'Insert', {
        collection_name: name,
        num_rows: 1,
        fields_data: [
          { type: 'Int64', field_name: 'id', scalars: { long_data: { data: [41] } } },
          { type: 'Int32', field_name: 'n', scalars: { int_data: { data: [1] } } },
          { type: 'VarChar', field_name: 's', scalars: { string_data: { data: ['ok'] } } },
          { type: 'Int32', field_name: 'unknown', scalars: { int_data: { data: [1] } } },
          { type: 'FloatVector', field_name: 'vector', vectors: { dim: 4, float_vector: { data: [1, 2, 3, 4] } } },
        ],
      });
      await expectRejected(res, 'unknown field');
    });

    it('insert into a missing collection fails with code 100', async () => {
      const res = await rawCall(ctx.client, 'Insert', {
        collection_name: uniq('missing'),
        num_rows: 1,
        fields_data: [{ type: 'Int64', field_name: 'id', scalars: { long_data: { data: [1] } } }],
      });
      assertErr(res, { code: 100 }, 'insert into missing collection');
    });
  });
});

// The Node SDK sends a null (or missing) JSON value as empty bytes marked valid, and reads empty
// bytes back as null; Milvus accepts such rows.
describe('null JSON values from the SDK', () => {
  const ctx = useServer({ before, after });
  it('are stored as nulls (nullable field) or empty values that match no path (plain field)', async () => {
    const c = ctx.client;
    const name = uniq('nulljson');
    assertOk(await c.createCollection({
      collection_name: name,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'j', data_type: DataType.JSON, nullable: true },
        { name: 'k', data_type: DataType.JSON },
        { name: 'v', data_type: DataType.FloatVector, dim: 2 },
      ],
    }));
    assertOk(await c.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: name }));
    assertOk(await c.insert({
      collection_name: name,
      data: [
        { id: 1, j: null, k: { a: 1 }, v: [1, 2] },
        { id: 2, j: { a: 1 }, k: null, v: [1, 2] },
        { id: 3, k: { a: 2 }, v: [1, 2] },
      ],
    }), 'insert with null JSON');
    const all = await c.query({ collection_name: name, filter: 'id > 0', output_fields: ['j', 'k'] });
    assertOk(all);
    const byId = Object.fromEntries(all.data.map(r => [Number(r.id), r]));
    assert.equal(byId[1].j, null);
    assert.deepEqual(byId[2].j, { a: 1 });
    assert.equal(byId[3].j, null);
    assert.equal(byId[2].k, null);
    const ids = async filter => sortNum((await c.query({ collection_name: name, filter, output_fields: ['id'] })).data.map(r => Number(r.id)));
    assert.deepEqual(await ids('j is null'), [1, 3]);
    assert.deepEqual(await ids('j is not null'), [2]);
    assert.deepEqual(await ids('j["a"] == 1'), [2]);
    assert.deepEqual(await ids('k["a"] >= 1'), [1, 3]);
    assert.deepEqual(await ids('not (k["a"] >= 1)'), []);
  });
});
