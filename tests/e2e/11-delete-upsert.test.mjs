// Delete and upsert: delete by ids (delete_cnt) and by filter, deleted rows vanish from
// query/get/search/count; upsert replaces rows (count unchanged, new values visible), upsert on
// auto_id collections, delete then re-insert of the same pk, dropping a partition drops its rows.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, assertErr, uniq, DataType } from './lib/helpers.mjs';
import { countRows, sortNum } from './lib/data.mjs';

const vecOf = (i, gen = 0) => [i, i + 1, gen, 1].map(Math.fround);
const row = (i, gen = 0) => ({ id: i, n: i + gen * 1000, s: `g${gen}-${i}`, vector: vecOf(i, gen), dyn: `d${gen}` });

async function createColl(c, name, { autoID = false } = {}) {
  assertOk(await c.createCollection({
    collection_name: name,
    consistency_level: 'Strong',
    enable_dynamic_field: true,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID },
      { name: 'n', data_type: DataType.Int64 },
      { name: 's', data_type: DataType.VarChar, max_length: 32 },
      { name: 'vector', data_type: DataType.FloatVector, dim: 4 },
    ],
  }), `create ${name}`);
  assertOk(await c.createIndex({ collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
  assertOk(await c.loadCollection({ collection_name: name }));
}

const allIds = async (c, name) =>
  sortNum((await c.query({ collection_name: name, output_fields: ['id'], limit: 16384 })).data.map(r => r.id));

describe('delete and upsert', () => {
  const ctx = useServer({ before, after });
  const name = uniq('du');
  const range = (a, b) => Array.from({ length: b - a }, (_, k) => a + k);

  before(async () => {
    await createColl(ctx.client, name);
    const res = await ctx.client.insert({ collection_name: name, data: range(0, 100).map(i => row(i)) });
    assertOk(res, 'insert 100');
  });

  it('delete by ids returns delete_cnt and no ids', async () => {
    const res = await ctx.client.delete({ collection_name: name, ids: [1, 2, 3] });
    assertOk(res, 'delete by ids');
    assert.equal(Number(res.delete_cnt), 3);
    // Milvus leaves MutationResult.IDs empty for deletes (pymilvus then reports delete_count).
    const echoed = res.IDs?.int_id?.data?.length || res.IDs?.str_id?.data?.length || 0;
    assert.equal(echoed, 0, `delete must not echo ids: ${JSON.stringify(res.IDs)}`);
    assert.ok(BigInt(res.timestamp) > 0n, 'delete timestamp');
    assert.equal(await countRows(ctx.client, name), 97);
  });

  it('deleted rows disappear from get, query, search and count', async () => {
    const c = ctx.client;
    const got = await c.get({ collection_name: name, ids: [0, 1, 2, 3, 4], output_fields: ['s'] });
    assertOk(got);
    assert.deepEqual(sortNum(got.data.map(r => r.id)), [0, 4]);
    assert.deepEqual(await allIds(c, name), range(0, 100).filter(i => ![1, 2, 3].includes(i)));
    // Row 2's own vector: without the delete it would be the exact match.
    const s = await c.search({ collection_name: name, data: vecOf(2), limit: 3, output_fields: ['id'] });
    assertOk(s);
    assert.ok(!s.results.some(h => [1, 2, 3].includes(Number(h.id))), `deleted ids in search: ${s.results.map(h => h.id)}`);
    assert.deepEqual(sortNum(s.results.map(h => h.id)), [0, 4, 5]);
    const all = await c.search({ collection_name: name, data: vecOf(50), limit: 200, output_fields: ['id'] });
    assertOk(all);
    assert.equal(all.results.length, 97);
    assert.equal(await countRows(c, name, { filter: 'id < 10' }), 7);
  });

  it('deleting ids that do not exist succeeds and changes nothing', async () => {
    assertOk(await ctx.client.delete({ collection_name: name, ids: [100000, 100001] }), 'delete missing ids');
    assertOk(await ctx.client.delete({ collection_name: name, ids: [1] }), 'delete an already deleted id');
    assert.equal(await countRows(ctx.client, name), 97);
  });

  it('delete by filter counts the matching rows', async () => {
    const c = ctx.client;
    const res = await c.delete({ collection_name: name, filter: 'n >= 90 and s like "g0-%"' });
    assertOk(res, 'delete by filter');
    assert.equal(Number(res.delete_cnt), 10);
    assert.equal(await countRows(c, name), 87);
    const dyn = await c.delete({ collection_name: name, filter: 'id in [80, 81] and dyn == "d0"' });
    assertOk(dyn, 'delete by filter on a dynamic key');
    assert.equal(Number(dyn.delete_cnt), 2);
    const none = await c.delete({ collection_name: name, filter: 'id > 1000000' });
    assertOk(none, 'delete matching nothing');
    assert.equal(Number(none.delete_cnt), 0);
    assert.deepEqual(await allIds(c, name), range(0, 90).filter(i => ![1, 2, 3, 80, 81].includes(i)));
  });

  it('an invalid delete expression fails with code 1100 and deletes nothing', async () => {
    assertErr(await ctx.client.delete({ collection_name: name, filter: 'id in [' }), { code: 1100 }, 'bad delete expr');
    assertErr(await ctx.client.delete({ collection_name: name, filter: 's > 1' }), { code: 1100 }, 'delete comparing VarChar with a number');
    assert.equal(await countRows(ctx.client, name), 85);
  });

  it('upsert replaces existing rows and inserts new ones; count follows', async () => {
    const c = ctx.client;
    const before = await countRows(c, name);
    const data = [...range(10, 20).map(i => row(i, 1)), row(500, 1), row(501, 1)];
    const res = await c.upsert({ collection_name: name, data });
    assertOk(res, 'upsert');
    assert.equal(Number(res.upsert_cnt), 12);
    assert.deepEqual(res.IDs.int_id.data.map(Number), data.map(r => r.id));
    assert.equal(await countRows(c, name), before + 2, 'only the 2 new pks add rows');
    const got = await c.get({ collection_name: name, ids: [10, 15, 19, 500, 20], output_fields: ['*'] });
    assertOk(got);
    const byId = Object.fromEntries(got.data.map(r => [Number(r.id), r]));
    for (const i of [10, 15, 19, 500]) {
      assert.equal(Number(byId[i].n), i + 1000, `n of ${i}`);
      assert.equal(byId[i].s, `g1-${i}`);
      assert.deepEqual(byId[i].vector, vecOf(i, 1));
      assert.equal(byId[i].$meta.dyn, 'd1');
    }
    assert.equal(Number(byId[20].n), 20, 'untouched row keeps its values');
    // Exactly one version of each upserted pk.
    const q = await c.query({ collection_name: name, filter: 'id >= 10 and id < 20', output_fields: ['n'], limit: 100 });
    assertOk(q);
    assert.deepEqual(sortNum(q.data.map(r => r.id)), range(10, 20));
    assert.ok(q.data.every(r => Number(r.n) >= 1000), 'old versions are gone');
    // Search sees the new vector, not the old one.
    const s = await c.search({ collection_name: name, data: vecOf(12, 1), limit: 1, output_fields: ['n'] });
    assertOk(s);
    assert.equal(Number(s.results[0].id), 12);
    assert.equal(s.results[0].score, 0);
    assert.equal(Number(s.results[0].n), 1012);
  });

  it('upserting the same rows again is idempotent', async () => {
    const c = ctx.client;
    const before = await countRows(c, name);
    for (let k = 0; k < 3; k++) {
      assertOk(await c.upsert({ collection_name: name, data: range(10, 20).map(i => row(i, 2)) }), `upsert round ${k}`);
    }
    assert.equal(await countRows(c, name), before);
    assert.equal(await countRows(c, name, { filter: 's like "g2-%"' }), 10);
  });

  it('delete then re-insert the same pk shows only the new row', async () => {
    const c = ctx.client;
    assertOk(await c.delete({ collection_name: name, ids: [40, 41] }));
    assert.equal((await c.get({ collection_name: name, ids: [40, 41] })).data.length, 0);
    assertOk(await c.insert({ collection_name: name, data: [row(40, 3), row(41, 3)] }), 're-insert');
    const got = await c.get({ collection_name: name, ids: [40, 41], output_fields: ['n', 's'] });
    assertOk(got);
    assert.deepEqual(got.data.map(r => [Number(r.id), Number(r.n), r.s]).sort((a, b) => a[0] - b[0]),
      [[40, 3040, 'g3-40'], [41, 3041, 'g3-41']]);
    // And deleting it again removes the re-inserted row too.
    assertOk(await c.delete({ collection_name: name, ids: [41] }));
    assert.deepEqual(sortNum((await c.get({ collection_name: name, ids: [40, 41] })).data.map(r => r.id)), [40]);
  });

  it('delete on a collection that is not loaded (by ids) succeeds', async () => {
    const c = ctx.client;
    const other = uniq('unl');
    await createColl(c, other);
    assertOk(await c.insert({ collection_name: other, data: range(0, 5).map(i => row(i)) }));
    assertOk(await c.releaseCollection({ collection_name: other }));
    const res = await c.delete({ collection_name: other, ids: [0, 1] });
    assertOk(res, 'delete by pk on a released collection');
    assertOk(await c.loadCollection({ collection_name: other }));
    assert.deepEqual(await allIds(c, other), [2, 3, 4]);
  });

  it('VarChar primary keys: delete and upsert by string id', async () => {
    const c = ctx.client;
    const sname = uniq('sdu');
    assertOk(await c.createCollection({
      collection_name: sname,
      consistency_level: 'Strong',
      fields: [
        { name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 32 },
        { name: 'v', data_type: DataType.Int32 },
        { name: 'vector', data_type: DataType.FloatVector, dim: 2 },
      ],
    }));
    assertOk(await c.createIndex({ collection_name: sname, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await c.loadCollection({ collection_name: sname }));
    const keys = ['a', 'b', '中', '😀'];
    assertOk(await c.insert({ collection_name: sname, data: keys.map((pk, i) => ({ pk, v: i, vector: [i, i] })) }));
    const del = await c.delete({ collection_name: sname, ids: ['b', '😀'] });
    assertOk(del);
    assert.equal(Number(del.delete_cnt), 2);
    const up = await c.upsert({ collection_name: sname, data: [{ pk: '中', v: 99, vector: [9, 9] }, { pk: 'new', v: 7, vector: [7, 7] }] });
    assertOk(up);
    assert.deepEqual(up.IDs.str_id.data, ['中', 'new']);
    const q = await c.query({ collection_name: sname, output_fields: ['v'], limit: 10 });
    assertOk(q);
    assert.deepEqual(q.data.map(r => [r.pk, r.v]).sort(), [['a', 0], ['new', 7], ['中', 99]].sort());
  });

  describe('auto_id collections', () => {
    const aname = uniq('adu');
    let ids;

    before(async () => {
      await createColl(ctx.client, aname, { autoID: true });
      const res = await ctx.client.insert({ collection_name: aname, data: range(0, 5).map(i => { const { id, ...r } = row(i); return r; }) });
      assertOk(res, 'auto insert');
      ids = res.IDs.int_id.data.map(String);
      assert.equal(ids.length, 5);
    });

    it('upsert with an existing pk replaces the row under a newly generated pk', async () => {
      const c = ctx.client;
      const res = await c.upsert({ collection_name: aname, data: [{ ...row(0, 1), id: ids[0] }] });
      assertOk(res, 'upsert auto_id');
      assert.equal(Number(res.upsert_cnt), 1);
      const newId = String(res.IDs.int_id.data[0]);
      assert.notEqual(newId, ids[0], 'Milvus generates a new pk for upserts into auto_id collections');
      assert.ok(!ids.includes(newId));
      assert.equal(await countRows(c, aname), 5);
      assert.equal((await c.get({ collection_name: aname, ids: [ids[0]] })).data.length, 0, 'old pk is deleted');
      const got = await c.get({ collection_name: aname, ids: [newId], output_fields: ['n', 's'] });
      assertOk(got);
      assert.deepEqual(got.data.map(r => [String(r.id), Number(r.n), r.s]), [[newId, 1000, 'g1-0']]);
    });

    it('upsert without the pk into an auto_id collection fails', async () => {
      const { id, ...noPk } = row(3, 1);
      const res = await ctx.client.upsert({ collection_name: aname, data: [noPk] });
      assertErr(res, {}, 'upsert without pk');
      assert.equal(await countRows(ctx.client, aname), 5);
    });

    it('delete by generated ids', async () => {
      const res = await ctx.client.delete({ collection_name: aname, ids: [ids[1], ids[2]] });
      assertOk(res);
      assert.equal(Number(res.delete_cnt), 2);
      assert.equal(await countRows(ctx.client, aname), 3);
    });
  });

  it('dropping a partition drops its rows; a new partition of the same name is empty', async () => {
    const c = ctx.client;
    const pname = uniq('pd');
    await createColl(c, pname);
    assertOk(await c.createPartition({ collection_name: pname, partition_name: 'p' }));
    assertOk(await c.loadCollection({ collection_name: pname }));
    assertOk(await c.insert({ collection_name: pname, data: range(0, 10).map(i => row(i)) }));
    assertOk(await c.insert({ collection_name: pname, partition_name: 'p', data: range(100, 120).map(i => row(i)) }));
    assert.equal(await countRows(c, pname), 30);
    assertOk(await c.releasePartitions({ collection_name: pname, partition_names: ['p'] }));
    assertOk(await c.dropPartition({ collection_name: pname, partition_name: 'p' }), 'drop partition');
    assert.equal(await countRows(c, pname), 10);
    assert.deepEqual(await allIds(c, pname), range(0, 10));
    const s = await c.search({ collection_name: pname, data: vecOf(110), limit: 5, output_fields: ['id'] });
    assertOk(s);
    assert.ok(s.results.every(h => Number(h.id) < 10), 'search sees no row of the dropped partition');
    assertOk(await c.createPartition({ collection_name: pname, partition_name: 'p' }));
    assertOk(await c.loadPartitions({ collection_name: pname, partition_names: ['p'] }));
    assert.equal(await countRows(c, pname, { partition_names: ['p'] }), 0);
    assert.equal(await countRows(c, pname), 10);
  });
});
