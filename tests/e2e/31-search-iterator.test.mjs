// search_iterator (v2, as the Node SDK drives it) and query_iterator: batches continue strictly after the
// previous batch's last distance, ties included exactly once, over a snapshot; together they
// return the exact ordering of every row (or the first `limit`), with filters.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, uniq, newClient, assertOk, DataType } from './lib/helpers.mjs';

describe('search iterator', () => {
  const ctx = useServer({ before, after });
  let client, name;
  const N = 500;
  before(async () => {
    client = await newClient(ctx.server.address);
    name = uniq('it');
    assertOk(await client.createCollection({
      collection_name: name,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: 2 },
        { name: 'tag', data_type: DataType.Int64 },
      ],
    }));
    assertOk(await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } }));
    assertOk(await client.loadCollection({ collection_name: name }));
    // Many exact ties: 5 rows share every distance.
    const data = Array.from({ length: N }, (_, i) => ({ id: i, v: [Math.floor(i / 5), 0], tag: i % 4 }));
    assertOk(await client.insert({ collection_name: name, data }));
  });
  after(async () => { await client?.closeConnection(); });

  async function drain(params) {
    const it = await client.searchIterator({ collection_name: name, data: [0, 0], anns_field: 'v', output_fields: ['tag'], ...params });
    const seen = [];
    for await (const batch of it) {
      assert.ok(batch.length <= params.batchSize);
      seen.push(...batch);
    }
    return seen;
  }

  it('walks every row once, in distance order, ties included', async () => {
    const seen = await drain({ batchSize: 7, limit: N });
    const ids = seen.map(r => Number(r.id));
    assert.equal(ids.length, N);
    assert.equal(new Set(ids).size, N);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1].score <= seen[i].score);
  });

  it('stops at limit and honours the filter', async () => {
    const seen = await drain({ batchSize: 10, limit: 45, filter: 'tag == 1' });
    assert.equal(seen.length, 45);
    assert.ok(seen.every(r => Number(r.tag) === 1));
    const expected = Array.from({ length: N }, (_, i) => i).filter(i => i % 4 === 1).slice(0, 45);
    assert.deepEqual(seen.map(r => Number(r.id)).sort((a, b) => a - b), expected);
  });

  it('queryIterator pages every matching row once, in pk order', async () => {
    const it = await client.queryIterator({ collection_name: name, batchSize: 40, expr: 'tag == 1', output_fields: ['id', 'tag'] });
    const ids = [];
    let batches = 0;
    for await (const batch of it) {
      batches++;
      assert.ok(batch.length <= 40);
      ids.push(...batch.map(r => Number(r.id)));
    }
    const expected = Array.from({ length: N }, (_, i) => i).filter(i => i % 4 === 1);
    assert.deepEqual(ids, expected);
    assert.equal(batches, Math.ceil(expected.length / 40));
  });

  it('an iterator over several vectors is refused as in Milvus', async () => {
    const res = await client.search({
      collection_name: name, data: [[0, 0], [1, 1]], limit: 5,
      params: { iterator: true, search_iter_v2: true, search_iter_batch_size: 5 },
    });
    assert.equal(res.status.code, 1100);
  });
});
