// Aliases: create / describe / list / alter / drop, resolution through describe and
// partition calls, conflicts with collection names, and dropping aliased collections.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, assertErr, uniq, createBasic } from './lib/helpers.mjs';

describe('aliases', () => {
  const ctx = useServer({ before, after });
  const coll = uniq('acoll');
  const other = uniq('aother');
  const alias = uniq('alias');

  before(async () => {
    await createBasic(ctx.client, coll);
    await createBasic(ctx.client, other, { dim: 16 });
  });

  it('createAlias succeeds', async () => {
    assertOk(await ctx.client.createAlias({ collection_name: coll, alias }), 'createAlias');
  });

  it('describeAlias returns the target collection', async () => {
    const res = await ctx.client.describeAlias({ collection_name: coll, alias });
    assertOk(res, 'describeAlias');
    assert.equal(res.alias, alias);
    assert.equal(res.collection, coll);
    assert.equal(res.db_name, 'default');
  });

  it('listAliases lists the alias for its collection only', async () => {
    const res = await ctx.client.listAliases({ collection_name: coll });
    assertOk(res, 'listAliases');
    assert.deepEqual(res.aliases, [alias]);
    const res2 = await ctx.client.listAliases({ collection_name: other });
    assertOk(res2);
    assert.deepEqual(res2.aliases, []);
  });

  it('describeCollection through the alias resolves to the collection', async () => {
    const byName = await ctx.client.describeCollection({ collection_name: coll });
    const byAlias = await ctx.client.describeCollection({ collection_name: alias });
    assertOk(byAlias, 'describeCollection(alias)');
    assert.equal(String(byAlias.collectionID), String(byName.collectionID));
    assert.equal(byAlias.collection_name, coll);
    assert.ok(byName.aliases.includes(alias), 'describe lists the aliases');
    const has = await ctx.client.hasCollection({ collection_name: alias });
    assert.equal(has.value, true);
  });

  it('listCollections does not list aliases', async () => {
    const res = await ctx.client.listCollections();
    assert.ok(!res.collection_names.includes(alias));
  });

  it('partition calls work through the alias', async () => {
    const res = await ctx.client.listPartitions({ collection_name: alias });
    assertOk(res, 'listPartitions(alias)');
    assert.deepEqual(res.partition_names, ['_default']);
  });

  it('an alias equal to an existing collection name is rejected (1601)', async () => {
    assertErr(await ctx.client.createAlias({ collection_name: coll, alias: other }), { code: 1601 });
    assertErr(await ctx.client.createAlias({ collection_name: coll, alias: coll }), { code: 1601 });
  });

  it('an alias already used by another collection is rejected (1602)', async () => {
    assertErr(await ctx.client.createAlias({ collection_name: other, alias }), { code: 1602 });
    const res = await ctx.client.describeAlias({ collection_name: coll, alias });
    assert.equal(res.collection, coll);
  });

  it('a collection cannot be created with the name of an alias', async () => {
    const res = await ctx.client._createCollection({
      collection_name: alias,
      fields: [
        { name: 'id', data_type: 5, is_primary_key: true },
        { name: 'vector', data_type: 101, dim: 8 },
      ],
    });
    assertErr(res, {}, 'create collection named like an alias');
  });

  it('createAlias on a missing collection fails with code 100', async () => {
    assertErr(await ctx.client.createAlias({ collection_name: uniq('nocoll'), alias: uniq('al') }), { code: 100 });
  });

  it('invalid alias names are rejected with code 1100', async () => {
    for (const bad of ['12-s', 'a b', 'x'.repeat(256)]) {
      assertErr(await ctx.client.createAlias({ collection_name: coll, alias: bad }), { code: 1100 }, `alias ${bad.slice(0, 10)}`);
    }
  });

  it('alterAlias moves the alias to another collection', async () => {
    assertOk(await ctx.client.alterAlias({ collection_name: other, alias }), 'alterAlias');
    const res = await ctx.client.describeAlias({ collection_name: other, alias });
    assertOk(res);
    assert.equal(res.collection, other);
    const desc = await ctx.client.describeCollection({ collection_name: alias });
    assert.equal(desc.collection_name, other);
    assert.deepEqual((await ctx.client.listAliases({ collection_name: coll })).aliases, []);
    assert.deepEqual((await ctx.client.listAliases({ collection_name: other })).aliases, [alias]);
  });

  it('alterAlias of a missing alias fails with code 1600', async () => {
    assertErr(await ctx.client.alterAlias({ collection_name: coll, alias: uniq('ghost') }), { code: 1600 });
  });

  it('a collection with an alias cannot be dropped; it can once the alias is gone', async () => {
    assertErr(await ctx.client.dropCollection({ collection_name: other }), {}, 'drop aliased collection');
    assertOk(await ctx.client.describeCollection({ collection_name: other }), 'collection still exists');
    assertOk(await ctx.client.dropAlias({ alias }), 'dropAlias');
    assertOk(await ctx.client.dropCollection({ collection_name: other }), 'drop after alias removal');
  });

  it('a dropped alias no longer resolves', async () => {
    assertErr(await ctx.client.describeAlias({ collection_name: coll, alias }), {}, 'describeAlias(dropped)');
    assertErr(await ctx.client.describeCollection({ collection_name: alias }), { code: 100 });
  });

  it('dropping a missing alias succeeds', async () => {
    assertOk(await ctx.client.dropAlias({ alias: uniq('never') }), 'dropAlias(missing)');
  });

  it('a collection cannot be dropped via its alias', async () => {
    const a2 = uniq('alias2');
    assertOk(await ctx.client.createAlias({ collection_name: coll, alias: a2 }));
    assertErr(await ctx.client.dropCollection({ collection_name: a2 }), {}, 'drop via alias');
    assertOk(await ctx.client.describeCollection({ collection_name: coll }));
    assertOk(await ctx.client.dropAlias({ alias: a2 }));
  });

  it('an alias name can be reused after it was dropped', async () => {
    assertOk(await ctx.client.createAlias({ collection_name: coll, alias }), 'recreate alias');
    const res = await ctx.client.describeAlias({ collection_name: coll, alias });
    assert.equal(res.collection, coll);
    assertOk(await ctx.client.dropAlias({ alias }));
  });
});
