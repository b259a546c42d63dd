// Compaction: after deletes and upserts over many small batches, compact() removes the dead
// rows from memory and rewrites the persisted segments as one; every read answers exactly as
// before, also after a restart, and deletes/upserts keep working on compacted rows.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, uniq, newClient, assertOk, DataType } from './lib/helpers.mjs';

describe('compaction', () => {
  const ctx = useServer({ before, after });
  let client;
  before(async () => { client = await newClient(ctx.server.address); });
  after(async () => { await client?.closeConnection(); });

  const all = async (name) => {
    const r = await client.query({ collection_name: name, filter: 'id >= 0', output_fields: ['id', 'tag', 'v'], limit: 16384 });
    assertOk(r);
    return r.data.map(x => [Number(x.id), x.tag, x.v.map(f => Math.round(f * 1000))]).sort((a, b) => a[0] - b[0]);
  };
  const segments = async (name) => {
    const r = await client.getPersistentSegmentInfo({ collectionName: name });
    assertOk(r);
    return r.infos;
  };

  it('removes deleted and replaced rows, merges segments, answers identically before and after restart', async () => {
    const name = uniq('cp');
    assertOk(await client.createCollection({
      collection_name: name,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: 4 },
        { name: 'tag', data_type: DataType.VarChar, max_length: 16 },
      ],
    }));
    assertOk(await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await client.loadCollection({ collection_name: name }));
    for (let b = 0; b < 30; b++) {
      const data = Array.from({ length: 20 }, (_, i) => {
        const id = b * 20 + i;
        return { id, v: [id, id % 7, 1, 0], tag: `t${id}` };
      });
      assertOk(await client.insert({ collection_name: name, data }));
      if (b % 10 === 9) assertOk(await client.flush({ collection_names: [name] }));  // several segments
    }
    assertOk(await client.delete({ collection_name: name, filter: 'id % 3 == 0' }));
    assertOk(await client.upsert({
      collection_name: name,
      data: Array.from({ length: 50 }, (_, i) => ({ id: i * 2, v: [i, 0, 0, 1], tag: `u${i}` })),
    }));
    assertOk(await client.flush({ collection_names: [name] }));
    const expected = await all(name);
    assert.equal(expected.length, 600 - 200 + 17);  // 400 survivors + 17 re-inserted multiples of 6 below 100
    assert.ok((await segments(name)).length >= 4);

    const comp = await client.compact({ collection_name: name });
    assertOk(comp);
    const state = await client.getCompactionState({ compactionID: comp.compactionID });
    assertOk(state);
    assert.equal(state.state, 'Completed');
    assert.deepEqual(await all(name), expected);
    const segs = await segments(name);
    assert.equal(segs.length, 1);
    assert.equal(Number(segs[0].num_rows), expected.length);

    // Deletes and upserts still find compacted rows; search still sees the right vectors.
    assertOk(await client.delete({ collection_name: name, ids: [1, 2] }));
    assertOk(await client.upsert({ collection_name: name, data: [{ id: 4, v: [9, 9, 9, 9], tag: 'late' }] }));
    const after = expected.filter(([id]) => id !== 1 && id !== 2).map(r => (r[0] === 4 ? [4, 'late', [9000, 9000, 9000, 9000]] : r));
    assert.deepEqual(await all(name), after);
    const hit = await client.search({ collection_name: name, data: [[599, 599 % 7, 1, 0]], limit: 1, output_fields: ['tag'] });
    assertOk(hit);
    assert.equal(hit.results[0].tag, 't599');

    await ctx.server.restart();
    await client.closeConnection();
    client = await newClient(ctx.server.address);
    assertOk(await client.loadCollection({ collection_name: name }));
    assert.deepEqual(await all(name), after);
  });
});
