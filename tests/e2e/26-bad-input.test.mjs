// Bad input from a Milvus user: each request gets Milvus's error (or a clean success) and the
// server keeps serving — deep JSON, oversized limits, huge filters, bodies of the wrong shape.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, uniq, newClient, assertOk, assertErr, rawCall, DataType } from './lib/helpers.mjs';

describe('bad input', () => {
  const ctx = useServer({ before, after });
  let client, name;
  before(async () => {
    client = await newClient(ctx.server.address);
    name = uniq('bad');
    assertOk(await client.createCollection({
      collection_name: name,
      enable_dynamic_field: true,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: 4 },
        { name: 'j', data_type: DataType.JSON, nullable: true },
        { name: 's', data_type: DataType.VarChar, max_length: 8 },
      ],
    }));
    assertOk(await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await client.loadCollection({ collection_name: name }));
    assertOk(await client.insert({ collection_name: name, data: [{ id: 1, v: [1, 2, 3, 4], j: { a: 1 }, s: 'x' }] }));
  });
  after(async () => { await client?.closeConnection(); });

  const stillServing = async () => {
    const r = await client.query({ collection_name: name, filter: 'id == 1', output_fields: ['s'] });
    assertOk(r);
    assert.equal(r.data[0].s, 'x');
  };

  it('deeply nested JSON values are refused or stored, never crash the server', async () => {
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    const res = await rawCall(client, 'Insert', {
      collection_name: name,
      num_rows: 1,
      fields_data: [
        { field_name: 'id', type: 'Int64', scalars: { long_data: { data: [2] } } },
        { field_name: 'v', type: 'FloatVector', vectors: { dim: 4, float_vector: { data: [0, 0, 0, 0] } } },
        { field_name: 'j', type: 'JSON', scalars: { json_data: { data: [Buffer.from(deep)] } } },
        { field_name: 's', type: 'VarChar', scalars: { string_data: { data: ['y'] } } },
      ],
    });
    assert.equal(res.status.code, 1100, JSON.stringify(res.status));
    assert.match(res.status.reason, /exceeds max length \(65536\)/);
    // Within the length limit, deep nesting is stored and read back (2,000 levels: as deep as
    // the SDK's own JSON.parse goes comfortably).
    const deepest = '['.repeat(2000) + ']'.repeat(2000);
    assertOk(await client.insert({ collection_name: name, data: [{ id: 2, v: [0, 0, 0, 0], j: JSON.parse(deepest), s: 'y' }] }));
    const back = await client.query({ collection_name: name, filter: 'id == 2', output_fields: ['j'] });
    assertOk(back);
    assert.equal(JSON.stringify(back.data[0].j).length, 4000);
    const f = await client.query({ collection_name: name, filter: 'j[0][0][0] == 1 or id == 2', output_fields: ['id'] });
    assertOk(f);
    await stillServing();
  });

  it('filters: deep nesting, huge lists and long expressions are refused or answered', async () => {
    const deep = '('.repeat(20000) + 'id == 1' + ')'.repeat(20000);
    assertErr(await client.query({ collection_name: name, filter: deep, output_fields: ['id'] }), { code: 1100 });
    const notChain = 'not '.repeat(50000) + 'id == 1';
    assertErr(await client.query({ collection_name: name, filter: notChain, output_fields: ['id'] }), { code: 1100 });
    const bigIn = `id in [${Array.from({ length: 200000 }, (_, i) => i).join(',')}]`;
    const r = await client.query({ collection_name: name, filter: bigIn, output_fields: ['id'] });
    assertOk(r);
    assert.deepEqual(r.data.map(x => Number(x.id)).sort(), [1, 2]);
    const ors = Array.from({ length: 5000 }, (_, i) => `id == ${i}`).join(' or ');
    const r2 = await client.query({ collection_name: name, filter: ors, output_fields: ['id'] });
    assert.ok(r2.status.code === 0 || r2.status.code === 1100, JSON.stringify(r2.status));
    assertErr(await client.query({ collection_name: name, filter: 'j["a"] ==', output_fields: ['id'] }), { code: 1100 });
    assertErr(await client.query({ collection_name: name, filter: 'id == "\\u{zz}"', output_fields: ['id'] }), { code: 1100 });
    await stillServing();
  });

  it('search limits: topk, nq, offset and output bombs get Milvus errors', async () => {
    const q = [1, 2, 3, 4];
    assertErr(await client.search({ collection_name: name, data: [q], limit: 16385 }), { code: 1100 });
    assertErr(await client.search({ collection_name: name, data: [q], limit: 10, offset: 16380 }), { code: 1100 });
    const many = Array.from({ length: 16385 }, () => q);
    assertErr(await client.search({ collection_name: name, data: many, limit: 1 }), { code: 1100 });
    assertErr(await client.search({ collection_name: name, data: [[1, 2, 3]], limit: 1 }), { code: 1100 });
    const weird = await client.search({ collection_name: name, data: [q], limit: 1, params: { ef: -5, nprobe: 'x', radius: 'NaN' } });
    assert.ok(weird.status.code === 0 || weird.status.code === 1100, JSON.stringify(weird.status));
    await stillServing();
  });

  it('writes of the wrong shape: lengths, types, strings over max_length, rows counts', async () => {
    assertErr(await client.insert({ collection_name: name, data: [{ id: 3, v: [1, 2, 3, 4], s: 'way too long' }] }), { code: 1100 });
    const mismatched = await rawCall(client, 'Insert', {
      collection_name: name,
      num_rows: 3,
      fields_data: [
        { field_name: 'id', type: 'Int64', scalars: { long_data: { data: [7, 8] } } },
        { field_name: 'v', type: 'FloatVector', vectors: { dim: 4, float_vector: { data: [0, 0, 0, 0] } } },
        { field_name: 's', type: 'VarChar', scalars: { string_data: { data: ['a', 'b', 'c'] } } },
      ],
    });
    assert.equal(mismatched.status.code, 1100, JSON.stringify(mismatched.status));
    const wrongType = await rawCall(client, 'Insert', {
      collection_name: name,
      num_rows: 1,
      fields_data: [
        { field_name: 'id', type: 'VarChar', scalars: { string_data: { data: ['k'] } } },
        { field_name: 'v', type: 'FloatVector', vectors: { dim: 4, float_vector: { data: [0, 0, 0, 0] } } },
        { field_name: 's', type: 'VarChar', scalars: { string_data: { data: ['a'] } } },
      ],
    });
    assert.notEqual(wrongType.status.code, 0, JSON.stringify(wrongType.status));
    const negRows = await rawCall(client, 'Insert', { collection_name: name, num_rows: -1, fields_data: [] });
    assert.notEqual(negRows.status.code, 0);
    await stillServing();
  });

  it('REST: deep JSON bodies, wrong shapes and huge numbers get REST error codes', async () => {
    const post = async (path, body) => {
      const res = await fetch(`http://${ctx.server.address}/v2/vectordb/${path}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
      });
      assert.equal(res.status, 200);
      return res.json();
    };
    const deep = '{"collectionName":' + '['.repeat(200000) + ']'.repeat(200000) + '}';
    assert.notEqual((await post('collections/describe', deep)).code, 0);
    assert.notEqual((await post('entities/insert', JSON.stringify({ collectionName: name, data: 'rows' }))).code, 0);
    assert.notEqual((await post('entities/insert', JSON.stringify({ collectionName: name, data: [{ id: 1e300, v: [1, 2, 3, 4], s: 'a' }] }))).code, 0);
    assert.notEqual((await post('entities/search', JSON.stringify({ collectionName: name, data: [[1, 2, 3, 4]], limit: -1 }))).code, 0);
    assert.notEqual((await post('entities/query', JSON.stringify({ collectionName: name, filter: 7 }))).code, 0);
    await stillServing();
  });
});
