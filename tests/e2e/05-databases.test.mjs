// Databases: list/create/describe/drop, properties, validation, and per-database
// namespacing of collections via the `dbname` header (client `database` option / useDatabase).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, assertErr, uniq, createBasic, fieldByName, kv } from './lib/helpers.mjs';

describe('databases', () => {
  const ctx = useServer({ before, after });

  it('listDatabases includes default', async () => {
    const res = await ctx.client.listDatabases();
    assertOk(res, 'listDatabases');
    assert.ok(res.db_names.includes('default'));
  });

  it('describeDatabase(default)', async () => {
    const res = await ctx.client.describeDatabase({ db_name: 'default' });
    assertOk(res, 'describeDatabase(default)');
    assert.equal(res.db_name, 'default');
  });

  it('create / describe / list / drop a database', async () => {
    const db = uniq('db');
    assertOk(await ctx.client.createDatabase({ db_name: db }), 'createDatabase');
    const desc = await ctx.client.describeDatabase({ db_name: db });
    assertOk(desc, 'describeDatabase');
    assert.equal(desc.db_name, db);
    assert.notEqual(String(desc.dbID), '0');
    const defaultDesc = await ctx.client.describeDatabase({ db_name: 'default' });
    assert.notEqual(String(desc.dbID), String(defaultDesc.dbID));
    const list = await ctx.client.listDatabases();
    assert.ok(list.db_names.includes(db));
    assertOk(await ctx.client.dropDatabase({ db_name: db }), 'dropDatabase');
    const list2 = await ctx.client.listDatabases();
    assert.ok(!list2.db_names.includes(db));
    assertErr(await ctx.client.describeDatabase({ db_name: db }), { code: 800 }, 'describe dropped db');
  });

  it('creating an existing database fails', async () => {
    const db = uniq('dbdup');
    assertOk(await ctx.client.createDatabase({ db_name: db }));
    assertErr(await ctx.client.createDatabase({ db_name: db }), {}, 'create existing db');
    assertErr(await ctx.client.createDatabase({ db_name: 'default' }), {}, 'create default');
    assertOk(await ctx.client.dropDatabase({ db_name: db }));
  });

  it('the default database cannot be dropped', async () => {
    assertErr(await ctx.client.dropDatabase({ db_name: 'default' }), {}, 'drop default');
    const list = await ctx.client.listDatabases();
    assert.ok(list.db_names.includes('default'));
  });

  it('dropping a missing database succeeds', async () => {
    assertOk(await ctx.client.dropDatabase({ db_name: uniq('nodb') }), 'drop missing db');
  });

  it('describing a missing database fails with code 800', async () => {
    assertErr(await ctx.client.describeDatabase({ db_name: uniq('nodb') }), { code: 800 });
  });

  it('invalid database names are rejected with code 802', async () => {
    for (const bad of ['12-s', '(mn)', 'a'.repeat(256)]) {
      assertErr(await ctx.client.createDatabase({ db_name: bad }), { code: 802 }, `createDatabase(${bad.slice(0, 10)})`);
    }
  });

  it('database properties are stored, altered and dropped', async () => {
    const db = uniq('dbprops');
    assertOk(await ctx.client.createDatabase({ db_name: db, properties: { 'database.max.collections': 10 } }));
    let desc = await ctx.client.describeDatabase({ db_name: db });
    assert.equal(kv(desc.properties)['database.max.collections'], '10');
    assertOk(await ctx.client.alterDatabaseProperties({ db_name: db, properties: { 'database.max.collections': 20 } }), 'alterDatabase');
    desc = await ctx.client.describeDatabase({ db_name: db });
    assert.equal(kv(desc.properties)['database.max.collections'], '20');
    assertOk(await ctx.client.dropDatabaseProperties({ db_name: db, properties: ['database.max.collections'] }), 'dropDatabaseProperties');
    desc = await ctx.client.describeDatabase({ db_name: db });
    assert.equal(kv(desc.properties)['database.max.collections'], undefined);
    assertErr(await ctx.client.alterDatabaseProperties({ db_name: uniq('nodb'), properties: { 'database.max.collections': 1 } }), { code: 800 });
    assertOk(await ctx.client.dropDatabase({ db_name: db }));
  });

  describe('collections are scoped by database', () => {
    const db = uniq('scoped');
    const shared = uniq('shared');
    const onlyDb = uniq('onlydb');
    const onlyDefault = uniq('onlydef');
    let dbClient;

    before(async () => {
      assertOk(await ctx.client.createDatabase({ db_name: db }));
      dbClient = await ctx.newClient({ database: db });
    });

    it('a client with database: x creates collections in x', async () => {
      await createBasic(dbClient, shared, { dim: 16 });
      await createBasic(dbClient, onlyDb);
      await createBasic(ctx.client, shared, { dim: 8 });
      await createBasic(ctx.client, onlyDefault);
      const inDb = await dbClient.listCollections();
      assertOk(inDb);
      assert.deepEqual([...inDb.collection_names].sort(), [shared, onlyDb].sort());
      const inDefault = await ctx.client.listCollections();
      assert.ok(inDefault.collection_names.includes(shared));
      assert.ok(inDefault.collection_names.includes(onlyDefault));
      assert.ok(!inDefault.collection_names.includes(onlyDb));
    });

    it('same-named collections in different databases are independent', async () => {
      const a = await dbClient.describeCollection({ collection_name: shared });
      const b = await ctx.client.describeCollection({ collection_name: shared });
      assertOk(a);
      assertOk(b);
      assert.notEqual(String(a.collectionID), String(b.collectionID));
      assert.equal(kv(fieldByName(a, 'vector').type_params).dim, '16');
      assert.equal(kv(fieldByName(b, 'vector').type_params).dim, '8');
      assert.equal(a.db_name, db);
      assertErr(await ctx.client.describeCollection({ collection_name: onlyDb }), { code: 100 });
      assertErr(await dbClient.describeCollection({ collection_name: onlyDefault }), { code: 100 });
    });

    it('an explicit db_name in the request overrides the header', async () => {
      const res = await ctx.client.listCollections({ db_name: db });
      assertOk(res);
      assert.ok(res.collection_names.includes(onlyDb));
      const d = await ctx.client.describeCollection({ collection_name: onlyDb, db_name: db });
      assertOk(d, 'describeCollection with db_name');
    });

    it('useDatabase switches the client to another database', async () => {
      const c = await ctx.newClient();
      await c.useDatabase({ db_name: db });
      const res = await c.listCollections();
      assertOk(res);
      assert.ok(res.collection_names.includes(onlyDb));
      assert.ok(!res.collection_names.includes(onlyDefault));
      await c.useDatabase({ db_name: 'default' });
      const res2 = await c.listCollections();
      assert.ok(res2.collection_names.includes(onlyDefault));
    });

    it('dropping one of the same-named collections leaves the other', async () => {
      assertOk(await dbClient.dropCollection({ collection_name: shared }));
      assertErr(await dbClient.describeCollection({ collection_name: shared }), { code: 100 });
      assertOk(await ctx.client.describeCollection({ collection_name: shared }));
    });

    it('a database with collections cannot be dropped', async () => {
      assertErr(await ctx.client.dropDatabase({ db_name: db }), {}, 'drop non-empty db');
      assertOk(await ctx.client.describeDatabase({ db_name: db }));
    });

    it('once emptied, the database can be dropped', async () => {
      assertOk(await dbClient.dropCollection({ collection_name: onlyDb }));
      assertOk(await ctx.client.dropDatabase({ db_name: db }), 'drop emptied db');
    });

    it('requests against a missing database fail with code 800', async () => {
      const ghost = await ctx.newClient({ database: uniq('ghostdb') });
      assertErr(await ghost.listCollections(), { code: 800 }, 'listCollections in missing db');
      const res = await ghost._createCollection({
        collection_name: uniq('c'),
        fields: [
          { name: 'id', data_type: 5, is_primary_key: true },
          { name: 'vector', data_type: 101, dim: 8 },
        ],
      });
      assertErr(res, { code: 800 }, 'createCollection in missing db');
    });
  });
});
