// Durability across crashes and clean restarts, and timestamp (TSO) monotonicity.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer, assertOk, assertErr, uniq, DataType, createBasic, createVectorIndex, closeClients,
  allocTimestamp, fieldByName, kv, indexParams,
} from './lib/helpers.mjs';

describe('restart durability', () => {
  const ctx = useServer({ before, after });
  const db = uniq('rdb');
  const loaded = uniq('rloaded');
  const released = uniq('rreleased');
  const inDb = uniq('rindb');
  const renamedFrom = uniq('rfrom');
  const renamedTo = uniq('rto');
  const dropped = uniq('rdropped');
  const alias = uniq('ralias');
  const pkColl = uniq('rpk');
  const ids = {};
  let dbClient;
  let lastTs = 0n;

  async function freshClients() {
    await closeClients(ctx.clients);
    ctx.client = await ctx.newClient();
    dbClient = await ctx.newClient({ database: db });
  }

  before(async () => {
    const c = ctx.client;
    assertOk(await c.createDatabase({ db_name: db }));
    dbClient = await ctx.newClient({ database: db });

    // Loaded collection with a partition, an alias, an HNSW index and a TTL property.
    await createBasic(c, loaded, { extra: [{ name: 'title', data_type: DataType.VarChar, max_length: 32, nullable: true }] });
    assertOk(await c.createPartition({ collection_name: loaded, partition_name: 'p1' }));
    assertOk(await c.createIndex({
      collection_name: loaded, field_name: 'vector', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 32 },
    }));
    await c.loadCollectionSync({ collection_name: loaded });
    assertOk(await c.createAlias({ collection_name: loaded, alias }));
    assertOk(await c.alterCollectionProperties({ collection_name: loaded, properties: { 'collection.ttl.seconds': 600 } }));

    // Indexed but released collection.
    await createBasic(c, released);
    await createVectorIndex(c, released);
    await c.loadCollectionSync({ collection_name: released });
    assertOk(await c.releaseCollection({ collection_name: released }));

    // Collection in the non-default database, loaded.
    await createBasic(dbClient, inDb, { dim: 16 });
    await createVectorIndex(dbClient, inDb);
    await dbClient.loadCollectionSync({ collection_name: inDb });

    // Renamed and dropped collections.
    await createBasic(c, renamedFrom);
    assertOk(await c.renameCollection({ collection_name: renamedFrom, new_collection_name: renamedTo }));
    await createBasic(c, dropped);
    assertOk(await c.dropCollection({ collection_name: dropped }));

    // Partition-key collection.
    assertOk(await c.createCollection({
      collection_name: pkColl,
      num_partitions: 5,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'tenant', data_type: DataType.Int64, is_partition_key: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
      ],
    }));

    for (const n of [loaded, released, renamedTo, pkColl]) {
      ids[n] = String((await c.describeCollection({ collection_name: n })).collectionID);
    }
    ids[inDb] = String((await dbClient.describeCollection({ collection_name: inDb })).collectionID);
    lastTs = await allocTimestamp(c);
  });

  async function verifyEverything() {
    const c = ctx.client;
    // Databases.
    const dbs = await c.listDatabases();
    assertOk(dbs);
    assert.ok(dbs.db_names.includes('default') && dbs.db_names.includes(db), `databases: ${dbs.db_names}`);

    // Collections in default.
    const list = await c.listCollections();
    assertOk(list);
    for (const n of [loaded, released, renamedTo, pkColl]) assert.ok(list.collection_names.includes(n), `${n} listed`);
    for (const n of [renamedFrom, dropped, inDb]) assert.ok(!list.collection_names.includes(n), `${n} not listed`);
    for (const n of [loaded, released, renamedTo, pkColl]) {
      const d = await c.describeCollection({ collection_name: n });
      assertOk(d, `describe ${n}`);
      assert.equal(String(d.collectionID), ids[n], `collectionID of ${n} unchanged`);
    }
    assertErr(await c.describeCollection({ collection_name: dropped }), { code: 100 });
    assertErr(await c.describeCollection({ collection_name: renamedFrom }), { code: 100 });

    // Schema details, properties, alias.
    const d = await c.describeCollection({ collection_name: loaded });
    assert.deepEqual(d.schema.fields.map(f => f.name), ['id', 'vector', 'title']);
    assert.equal(fieldByName(d, 'title').nullable, true);
    assert.equal(kv(fieldByName(d, 'title').type_params).max_length, '32');
    assert.equal(kv(d.properties)['collection.ttl.seconds'], '600');
    assert.ok(d.aliases.includes(alias));
    const a = await c.describeAlias({ collection_name: loaded, alias });
    assertOk(a);
    assert.equal(a.collection, loaded);
    assertOk(await c.describeCollection({ collection_name: alias }), 'describe via alias');

    // Partitions.
    const parts = await c.listPartitions({ collection_name: loaded });
    assert.deepEqual([...parts.partition_names].sort(), ['_default', 'p1']);
    const pk = await c.listPartitions({ collection_name: pkColl });
    assert.equal(pk.partition_names.length, 5);

    // Index.
    const idx = await c.describeIndex({ collection_name: loaded });
    assertOk(idx);
    assert.equal(idx.index_descriptions.length, 1);
    const p = indexParams(idx.index_descriptions[0]);
    assert.equal(p.index_type, 'HNSW');
    assert.equal(String(p.M), '8');
    assert.equal(idx.index_descriptions[0].state, 'Finished');

    // Load states.
    assert.equal((await c.getLoadState({ collection_name: loaded })).state, 'LoadStateLoaded');
    assert.equal((await c.getLoadState({ collection_name: released })).state, 'LoadStateNotLoad');
    assert.equal((await c.getLoadState({ collection_name: renamedTo })).state, 'LoadStateNotLoad');
    const progress = await c.getLoadingProgress({ collection_name: loaded });
    assertOk(progress);
    assert.equal(Number(progress.progress), 100);

    // The other database.
    const dl = await dbClient.listCollections();
    assertOk(dl);
    assert.deepEqual(dl.collection_names, [inDb]);
    const dd = await dbClient.describeCollection({ collection_name: inDb });
    assertOk(dd);
    assert.equal(String(dd.collectionID), ids[inDb]);
    assert.equal(kv(fieldByName(dd, 'vector').type_params).dim, '16');
    assert.equal((await dbClient.getLoadState({ collection_name: inDb })).state, 'LoadStateLoaded');
  }

  it('everything is in place before the crash', async () => {
    await verifyEverything();
  });

  it('survives SIGKILL: metadata, aliases, indexes and load state are recovered', async () => {
    await closeClients(ctx.clients);
    await ctx.server.kill();
    await ctx.server.start();
    await freshClients();
    await verifyEverything();
  });

  it('timestamps keep increasing across the crash', async () => {
    const ts = await allocTimestamp(ctx.client);
    assert.ok(ts > lastTs, `timestamp after restart ${ts} must exceed ${lastTs}`);
    lastTs = ts;
  });

  it('new ids do not collide with ids allocated before the crash', async () => {
    const n = uniq('after');
    await createBasic(ctx.client, n);
    const d = await ctx.client.describeCollection({ collection_name: n });
    assert.ok(!Object.values(ids).includes(String(d.collectionID)), 'fresh collectionID');
    ids[n] = String(d.collectionID);
  });

  it('a clean stop (SIGTERM) exits with code 0', async () => {
    await closeClients(ctx.clients);
    const info = await ctx.server.stop();
    assert.equal(info.timedOut, false, 'server exits promptly on SIGTERM');
    assert.equal(info.code, 0, `exit code (signal=${info.signal})\n${ctx.server.logs().slice(-2000)}`);
  });

  it('survives a clean restart too, and keeps changes made after the crash', async () => {
    await ctx.server.start();
    await freshClients();
    await verifyEverything();
    const list = await ctx.client.listCollections();
    const afterName = Object.keys(ids).find(k => k.startsWith('after_'));
    assert.ok(list.collection_names.includes(afterName));
    const ts = await allocTimestamp(ctx.client);
    assert.ok(ts > lastTs, 'timestamp still increasing after clean restart');
  });

  it('DDL works normally after restarts', async () => {
    const c = ctx.client;
    assertOk(await c.releaseCollection({ collection_name: loaded }));
    assertOk(await c.dropAlias({ alias }));
    assertOk(await c.dropCollection({ collection_name: loaded }));
    assertErr(await c.describeCollection({ collection_name: loaded }), { code: 100 });
    assertOk(await dbClient.dropCollection({ collection_name: inDb }));
    assertOk(await c.dropDatabase({ db_name: db }));
  });
});

describe('timestamps', () => {
  const ctx = useServer({ before, after });

  it('AllocTimestamp is strictly increasing', async () => {
    let prev = 0n;
    for (let i = 0; i < 50; i++) {
      const ts = await allocTimestamp(ctx.client);
      assert.ok(ts > prev, `ts[${i}]=${ts} must exceed ${prev}`);
      prev = ts;
    }
  });

  it('AllocTimestamp is a hybrid timestamp whose physical part is wall-clock milliseconds', async () => {
    const ts = await allocTimestamp(ctx.client);
    const physical = Number(ts >> 18n);
    assert.ok(Math.abs(physical - Date.now()) < 60_000, `physical ${physical} vs now ${Date.now()}`);
  });

  it('concurrent AllocTimestamp calls never return duplicates', async () => {
    const all = await Promise.all(Array.from({ length: 40 }, () => allocTimestamp(ctx.client)));
    assert.equal(new Set(all.map(String)).size, all.length);
  });

  it('created_timestamp of a new collection is a hybrid timestamp near now', async () => {
    const before = await allocTimestamp(ctx.client);
    const n = uniq('tscoll');
    await createBasic(ctx.client, n);
    const d = await ctx.client.describeCollection({ collection_name: n });
    const created = BigInt(d.created_timestamp);
    assert.ok(created > before, `created_timestamp ${created} should exceed an earlier AllocTimestamp ${before}`);
    assert.ok(Math.abs(Number(BigInt(d.created_utc_timestamp)) - Date.now()) < 60_000, 'created_utc_timestamp is wall-clock ms');
  });
});
