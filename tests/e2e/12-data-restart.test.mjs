// Data durability across restarts: inserts, upserts and deletes (on flushed and unflushed
// rows, in a named partition, with VarChar and auto_id primary keys) are all there exactly
// once after a SIGKILL, after a second SIGKILL right after recovery (WAL replay is
// idempotent), and after a clean stop/start. Deletes are never resurrected.
//
// The expected state is a journal updated only when a write was acknowledged, so a write
// that the server rejects (e.g. a delete while filter expressions are unavailable) fails its
// own test without breaking the restart checks.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, uniq, DataType } from './lib/helpers.mjs';
import { countRows, queryAllNoFilter, sortNum } from './lib/data.mjs';

const vec = (id, gen) => [id, gen, id % 7, 1, 0.5, -id, gen * 2, 3].map(Math.fround);
function makeRow(id, gen) {
  return {
    id,
    s: `row-${id}-g${gen}-名字😀`,
    j: { id, gen, tags: ['a', `t${id % 3}`], nested: { ok: id % 2 === 0 } },
    arr: Array.from({ length: id % 4 }, (_, k) => k + gen),
    maybe: id % 5 === 0 ? null : id * 10 + gen,
    vector: vec(id, gen),
    dyn: `dyn-${gen}`,
  };
}
function checkRow(got, gen) {
  const id = Number(got.id);
  const w = makeRow(id, gen);
  assert.equal(got.s, w.s, `s of ${id}`);
  assert.deepEqual(got.j, w.j, `j of ${id}`);
  assert.deepEqual(got.arr.map(Number), w.arr, `arr of ${id}`);
  assert.equal(got.maybe === null ? null : Number(got.maybe), w.maybe, `maybe of ${id}`);
  assert.deepEqual(got.vector, w.vector, `vector of ${id}`);
  assert.equal(got.$meta.dyn, w.dyn, `dyn of ${id}`);
}
const range = (a, b) => Array.from({ length: b - a }, (_, k) => a + k);

describe('data survives restarts', () => {
  const ctx = useServer({ before, after });
  const A = uniq('dura');
  const B = uniq('durs');
  const C = uniq('dauto');
  // Journal of acknowledged state.
  const live = new Map();          // A: id -> generation (all partitions)
  const inP = new Set();           // A: ids living in partition "p"
  const deleted = new Set();       // A: ids whose delete was acknowledged (and not re-inserted)
  const liveB = new Map();         // B: pk -> n
  const autoIds = new Set();       // C: generated ids

  const ins = async (ids, gen, extra = {}) => {
    const res = await ctx.client.insert({ collection_name: A, data: ids.map(i => makeRow(i, gen)), ...extra });
    assertOk(res, `insert ${ids[0]}..${ids.at(-1)}`);
    for (const i of ids) { live.set(i, gen); deleted.delete(i); if (extra.partition_name === 'p') inP.add(i); }
  };
  const ups = async (ids, gen) => {
    const res = await ctx.client.upsert({ collection_name: A, data: ids.map(i => makeRow(i, gen)) });
    assertOk(res, `upsert ${ids[0]}..${ids.at(-1)}`);
    for (const i of ids) { live.set(i, gen); deleted.delete(i); }
  };
  const del = async (ids) => {
    const res = await ctx.client.delete({ collection_name: A, ids });
    assertOk(res, `delete ${ids[0]}..${ids.at(-1)}`);
    for (const i of ids) { live.delete(i); inP.delete(i); deleted.add(i); }
  };

  async function verifyState(c) {
    // Filterless reads: count(*), full scan by limit/offset, partition count, search.
    assert.equal((await c.getLoadState({ collection_name: A })).state, 'LoadStateLoaded', 'load state is recovered');
    assert.equal(await countRows(c, A), live.size, 'count(*) of A');
    const rows = await queryAllNoFilter(c, A, { output_fields: ['*'] });
    const ids = rows.map(r => Number(r.id));
    assert.equal(new Set(ids).size, ids.length, 'no pk is returned twice');
    assert.deepEqual(sortNum(ids), sortNum(live.keys()), 'exactly the acknowledged pks are present');
    for (const r of rows) checkRow(r, live.get(Number(r.id)));
    assert.equal(await countRows(c, A, { partition_names: ['p'] }), inP.size, 'count(*) of partition p');

    for (const id of [5, 205, 55]) {
      const gen = live.get(id) ?? 0;
      const s = await c.search({ collection_name: A, data: vec(id, gen), limit: 3, output_fields: ['id'] });
      assertOk(s, 'search');
      const hitIds = s.results.map(h => Number(h.id));
      assert.ok(!hitIds.some(h => deleted.has(h)), `search returned a deleted pk: ${hitIds}`);
      if (live.has(id)) assert.deepEqual([hitIds[0], s.results[0].score], [id, 0], `search finds ${id} exactly`);
    }

    const qb = await c.query({ collection_name: B, output_fields: ['n'], limit: 1000 });
    assertOk(qb, 'query B');
    assert.deepEqual(qb.data.map(r => [r.pk, Number(r.n)]).sort(), [...liveB.entries()].sort(), 'VarChar-pk collection');

    const qc = await queryAllNoFilter(c, C, { output_fields: ['id'] });
    assert.deepEqual(qc.map(r => String(r.id)).sort(), [...autoIds].sort(), 'auto_id collection');
  }

  before(async () => {
    const c = ctx.client;
    assertOk(await c.createCollection({
      collection_name: A,
      consistency_level: 'Strong',
      enable_dynamic_field: true,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 's', data_type: DataType.VarChar, max_length: 64 },
        { name: 'j', data_type: DataType.JSON },
        { name: 'arr', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 8 },
        { name: 'maybe', data_type: DataType.Int64, nullable: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
      ],
    }), 'create A');
    assertOk(await c.createPartition({ collection_name: A, partition_name: 'p' }));
    assertOk(await c.createIndex({ collection_name: A, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: A }));

    assertOk(await c.createCollection({
      collection_name: B,
      consistency_level: 'Strong',
      fields: [
        { name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 32 },
        { name: 'n', data_type: DataType.Int64 },
        { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      ],
    }), 'create B');
    assertOk(await c.createIndex({ collection_name: B, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: B }));

    assertOk(await c.createCollection({
      collection_name: C,
      consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      ],
    }), 'create C');
    assertOk(await c.createIndex({ collection_name: C, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: C }));
  });

  it('writes: inserts (flushed and unflushed), partition inserts, upserts', async () => {
    const c = ctx.client;
    await ins(range(0, 100), 0);
    await ins(range(100, 200), 0);
    assertOk(await c.flushSync({ collection_names: [A] }), 'flush');
    await ins(range(200, 300), 0);
    await ins(range(1000, 1050), 0, { partition_name: 'p' });
    await ups([...range(50, 60), ...range(250, 260), ...range(300, 305)], 1);

    const keys = ['k1', 'k2', '键', '😀', 'k5'];
    const rb = await c.insert({ collection_name: B, data: keys.map((pk, n) => ({ pk, n, vector: [n, n] })) });
    assertOk(rb, 'insert B');
    keys.forEach((pk, n) => liveB.set(pk, n));
    const ub = await c.upsert({ collection_name: B, data: [{ pk: 'k2', n: 222, vector: [2, 2] }] });
    assertOk(ub, 'upsert B');
    liveB.set('k2', 222);

    for (let b = 0; b < 2; b++) {
      const rc = await c.insert({ collection_name: C, data: range(0, 40).map(i => ({ vector: [i, b] })) });
      assertOk(rc, 'insert C');
      rc.IDs.int_id.data.forEach(id => autoIds.add(String(id)));
    }
    assert.equal(autoIds.size, 80);
  });

  it('deletes: by ids on flushed, unflushed, upserted and partition rows, and by filter', async () => {
    const c = ctx.client;
    await del([...range(0, 10), 55, 150]);   // flushed rows (55 upserted after the flush)
    await del([...range(200, 210), 251]);   // unflushed rows
    await del([1000, 1001]);               // partition p
    const res = await c.delete({ collection_name: A, filter: 'id >= 280 and id < 290' });
    assertOk(res, 'delete by filter');
    assert.equal(Number(res.delete_cnt), 10);
    for (const i of range(280, 290)) { live.delete(i); deleted.add(i); }
    const rb = await c.delete({ collection_name: B, ids: ['😀'] });
    assertOk(rb, 'delete B');
    liveB.delete('😀');
    // Delete then re-insert before the crash: the re-inserted version must win after replay.
    await del([20, 21]);
    await ins([20, 21], 2);
  });

  it('before the crash, the data is exactly as written', async () => {
    await verifyState(ctx.client);
  });

  it('after SIGKILL and restart every acknowledged write is there exactly once', async () => {
    await closeAndKill();
    await ctx.server.start();
    ctx.client = await ctx.newClient();
    await verifyState(ctx.client);
  });

  it('after the crash, deleted pks stay deleted when fetched by id', async () => {
    const c = ctx.client;
    const ids = [...deleted].slice(0, 100);
    const got = await c.get({ collection_name: A, ids, output_fields: ['id'] });
    assertOk(got, 'get deleted ids');
    assert.deepEqual(got.data.map(r => Number(r.id)), [], 'deleted rows are resurrected');
    const some = await c.get({ collection_name: A, ids: [20, 21, 56, 300], output_fields: ['s'] });
    assertOk(some);
    assert.deepEqual(some.data.map(r => [Number(r.id), r.s]).sort((a, b) => a[0] - b[0]),
      [[20, makeRow(20, 2).s], [21, makeRow(21, 2).s], [56, makeRow(56, 1).s], [300, makeRow(300, 1).s]]);
  });

  it('a second SIGKILL right after recovery changes nothing (replay is idempotent)', async () => {
    await closeAndKill();
    await ctx.server.start();
    ctx.client = await ctx.newClient();
    await verifyState(ctx.client);
  });

  it('writes after recovery, then a clean stop/start keeps everything', async () => {
    let c = ctx.client;
    await ins(range(400, 450), 3);
    await ups(range(100, 110), 4);
    await del([...range(400, 405), 120]);
    const rc = await c.insert({ collection_name: C, data: range(0, 10).map(i => ({ vector: [i, 9] })) });
    assertOk(rc);
    for (const id of rc.IDs.int_id.data.map(String)) {
      assert.ok(!autoIds.has(id), `auto id ${id} allocated after the crash collides with an earlier one`);
      autoIds.add(id);
    }
    await verifyState(c);
    try { await c.closeConnection(); } catch { /* ignore */ }
    const exit = await ctx.server.stop();
    assert.equal(exit.timedOut, false, 'SIGTERM stops the server');
    assert.equal(exit.code, 0, `clean stop exits 0 (got ${JSON.stringify(exit)})`);
    await ctx.server.start();
    ctx.client = c = await ctx.newClient();
    await verifyState(c);
  });

  it('flush after recovery, then SIGKILL: still exactly the same data', async () => {
    assertOk(await ctx.client.flushSync({ collection_names: [A, B, C] }), 'flush all');
    await closeAndKill();
    await ctx.server.start();
    ctx.client = await ctx.newClient();
    await verifyState(ctx.client);
  });

  async function closeAndKill() {
    try { await ctx.client.closeConnection(); } catch { /* ignore */ }
    const info = await ctx.server.kill();
    assert.equal(info.signal, 'SIGKILL');
  }
});
