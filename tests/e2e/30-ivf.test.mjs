// IVF_FLAT and IVF_SQ8: create_index builds a real inverted-file index in the background
// (describe_index shows the indexed rows), searches probe `nprobe` lists, probing every list
// gives exact results, filters and deletes are honoured, and the index is rebuilt after a
// restart.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, uniq, newClient, assertOk, DataType } from './lib/helpers.mjs';

const DIM = 32, N = 6000;
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}
const rand = rng(99);
const centres = Array.from({ length: 50 }, () => Array.from({ length: DIM }, () => rand() * 2 - 1));
const near = () => { const c = centres[Math.floor(rand() * centres.length)]; return c.map(x => x + (rand() - 0.5) * 0.3); };
const rows = Array.from({ length: N }, (_, i) => ({ id: i, v: near(), tag: i % 10 }));
const queries = Array.from({ length: 30 }, near);
const sleep = ms => new Promise(r => setTimeout(r, ms));

describe('IVF indexes', () => {
  // The planner would scan this small data exactly; make it use the index.
  const ctx = useServer({ before, after, extraArgs: ['--exact-scan-max-cost', '0'] });
  let client;
  before(async () => { client = await newClient(ctx.server.address); });
  after(async () => { await client?.closeConnection(); });

  async function make(name, indexType, params) {
    assertOk(await client.createCollection({
      collection_name: name,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v', data_type: DataType.FloatVector, dim: DIM },
        { name: 'tag', data_type: DataType.Int64 },
      ],
    }));
    assertOk(await client.createIndex({ collection_name: name, field_name: 'v', index_name: 'vi', index_type: indexType, metric_type: 'L2', params }));
    assertOk(await client.loadCollection({ collection_name: name }));
    for (let i = 0; i < N; i += 2000) assertOk(await client.insert({ collection_name: name, data: rows.slice(i, i + 2000) }));
  }
  async function waitIndexed(name) {
    for (let t = 0; t < 200; t++) {
      const d = await client.describeIndex({ collection_name: name, index_name: 'vi' });
      assertOk(d);
      const x = d.index_descriptions[0];
      if (Number(x.indexed_rows) === N && Number(x.pending_index_rows) === 0) return;
      await sleep(100);
    }
    assert.fail(`${name}: index not built in 20 s`);
  }
  const ids = (res) => res.results.map(r => Number(r.id));
  async function recall(name, flat, params, filter) {
    let hit = 0, total = 0;
    for (const q of queries) {
      const exact = await client.search({ collection_name: flat, data: [q], limit: 10, filter });
      const got = await client.search({ collection_name: name, data: [q], limit: 10, filter, params });
      assertOk(got);
      const truth = new Set(ids(exact));
      hit += ids(got).filter(id => truth.has(id)).length;
      total += truth.size;
      assert.equal(got.results.length, exact.results.length);
    }
    return hit / total;
  }

  it('IVF_FLAT and IVF_SQ8 build, probe, filter, and survive a restart', async () => {
    const flat = uniq('flat'), ivf = uniq('ivf'), sq8 = uniq('sq8');
    await make(flat, 'FLAT', {});
    await make(ivf, 'IVF_FLAT', { nlist: 64 });
    await make(sq8, 'IVF_SQ8', { nlist: 64 });
    await waitIndexed(ivf);
    await waitIndexed(sq8);

    // Every list probed: the IVF_FLAT answer is the exact one, scores included.
    for (const q of queries.slice(0, 5)) {
      const exact = await client.search({ collection_name: flat, data: [q], limit: 10 });
      const all = await client.search({ collection_name: ivf, data: [q], limit: 10, params: { nprobe: 64 } });
      assert.deepEqual(ids(all), ids(exact));
      all.results.forEach((r, i) => assert.ok(Math.abs(r.score - exact.results[i].score) < 1e-4));
    }
    const r8 = await recall(ivf, flat, { nprobe: 8 });
    const r1 = await recall(ivf, flat, { nprobe: 1 });
    const rsq = await recall(sq8, flat, { nprobe: 16 });
    console.log(`# IVF_FLAT nlist=64 recall@10 nprobe=1 ${r1.toFixed(3)}, nprobe=8 ${r8.toFixed(3)}; IVF_SQ8 nprobe=16 ${rsq.toFixed(3)}`);
    assert.ok(r8 >= 0.9, `IVF_FLAT nprobe=8 recall ${r8}`);
    assert.ok(r1 < 0.99 && r1 <= r8, `nprobe=1 recall ${r1} (an exact scan would give 1)`);
    assert.ok(rsq >= 0.85, `IVF_SQ8 nprobe=16 recall ${rsq}`);

    // Filters and deletes: never a filtered-out or deleted row; as many rows as survive.
    const rf = await recall(ivf, flat, { nprobe: 8 }, 'tag == 3');
    assert.ok(rf >= 0.85, `filtered recall ${rf}`);
    assertOk(await client.delete({ collection_name: ivf, filter: 'tag == 3 and id < 3000' }));
    for (const q of queries.slice(0, 5)) {
      const got = await client.search({ collection_name: ivf, data: [q], limit: 20, filter: 'tag == 3', params: { nprobe: 8 }, output_fields: ['tag'] });
      assertOk(got);
      assert.equal(got.results.length, 20);
      assert.ok(got.results.every(r => Number(r.tag) === 3 && Number(r.id) >= 3000));
    }
    const few = await client.search({ collection_name: ivf, data: [queries[0]], limit: 50, filter: 'id in [1, 2, 4000]', params: { nprobe: 1 } });
    assert.deepEqual(ids(few).sort((a, b) => a - b), [1, 2, 4000]);

    await ctx.server.restart();
    await client.closeConnection();
    client = await newClient(ctx.server.address);
    await waitIndexed(sq8);
    const after = await recall(sq8, flat, { nprobe: 16 });
    assert.ok(after >= 0.85, `IVF_SQ8 after restart ${after}`);
  });
});
