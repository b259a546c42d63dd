// Collection DDL and metadata: create (quick setup and full schema), describe, list,
// idempotency, validation errors, rename, alter properties, add field, statistics.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer, assertOk, assertErr, uniq, DataType, rawCreateCollection, basicFields, createBasic,
  fieldByName, kv,
} from './lib/helpers.mjs';

describe('collections', () => {
  const ctx = useServer({ before, after });

  describe('quick setup', () => {
    const name = uniq('quick');

    it('createCollection({dimension}) creates, indexes and loads', async () => {
      const res = await ctx.client.createCollection({ collection_name: name, dimension: 8 });
      assertOk(res, 'quick createCollection');
      const state = await ctx.client.getLoadState({ collection_name: name });
      assertOk(state, 'getLoadState');
      assert.equal(state.state, 'LoadStateLoaded');
    });

    it('hasCollection is true for it and false for a missing name', async () => {
      const yes = await ctx.client.hasCollection({ collection_name: name });
      assertOk(yes);
      assert.equal(yes.value, true);
      const no = await ctx.client.hasCollection({ collection_name: uniq('missing') });
      assert.equal(no.value, false);
    });

    it('describeCollection: ids from 100, Int64 pk, FloatVector dim 8, dynamic on without $meta, Bounded', async () => {
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assertOk(desc, 'describeCollection');
      assert.equal(desc.collection_name, name);
      assert.equal(desc.schema.name, name);
      assert.notEqual(String(desc.collectionID), '0');
      assert.equal(desc.schema.enable_dynamic_field, true);
      assert.equal(desc.consistency_level, 'Bounded');
      assert.equal(Number(desc.shards_num), 1);
      assert.notEqual(String(desc.created_timestamp), '0');

      const names = desc.schema.fields.map(f => f.name);
      assert.deepEqual(names, ['id', 'vector'], 'only user fields; no $meta, RowID or Timestamp');

      const id = fieldByName(desc, 'id');
      assert.equal(String(id.fieldID), '100');
      assert.equal(id.data_type, 'Int64');
      assert.equal(id.is_primary_key, true);
      assert.equal(id.autoID, false);

      const vec = fieldByName(desc, 'vector');
      assert.equal(String(vec.fieldID), '101');
      assert.equal(vec.data_type, 'FloatVector');
      assert.equal(vec.is_primary_key, false);
      assert.equal(kv(vec.type_params).dim, '8');
      for (const f of desc.schema.fields) assert.notEqual(f.is_dynamic, true);
    });

    it('listCollections / showCollections include it', async () => {
      const res = await ctx.client.listCollections();
      assertOk(res, 'listCollections');
      assert.ok(res.collection_names.includes(name));
      assert.ok(res.data.some(c => c.name === name));
      const res2 = await ctx.client.showCollections();
      assertOk(res2, 'showCollections');
      const i = res2.collection_names.indexOf(name);
      assert.ok(i >= 0);
      assert.notEqual(String(res2.collection_ids[i]), '0');
    });

    it('getCollectionStatistics reports row_count 0', async () => {
      const res = await ctx.client.getCollectionStatistics({ collection_name: name });
      assertOk(res, 'getCollectionStatistics');
      assert.equal(kv(res.stats).row_count, '0');
      assert.equal(String(res.data.row_count), '0');
    });

    it('quick setup on an existing collection is accepted (client reuses it)', async () => {
      // The SDK sees the collection exists, checks its index and loads it again; it throws on failure.
      await ctx.client.createCollection({ collection_name: name, dimension: 8 });
      const state = await ctx.client.getLoadState({ collection_name: name });
      assert.equal(state.state, 'LoadStateLoaded');
    });
  });

  describe('full schema', () => {
    const name = uniq('full');
    const fields = [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: true },
      { name: 'title', data_type: DataType.VarChar, max_length: 128 },
      { name: 'flag', data_type: DataType.Bool },
      { name: 'i8', data_type: DataType.Int8 },
      { name: 'i16', data_type: DataType.Int16 },
      { name: 'i32', data_type: DataType.Int32 },
      { name: 'i64', data_type: DataType.Int64 },
      { name: 'f32', data_type: DataType.Float },
      { name: 'f64', data_type: DataType.Double },
      { name: 'doc', data_type: DataType.JSON },
      { name: 'tags', data_type: DataType.Array, element_type: DataType.Int64, max_capacity: 16 },
      { name: 'maybe', data_type: DataType.Int32, nullable: true },
      { name: 'dflt', data_type: DataType.Int64, default_value: 7 },
      { name: 'tenant', data_type: DataType.Int64, is_partition_key: true },
      { name: 'vec', data_type: DataType.FloatVector, dim: 8 },
      { name: 'bvec', data_type: DataType.BinaryVector, dim: 16 },
      { name: 'hvec', data_type: DataType.Float16Vector, dim: 8 },
      { name: 'svec', data_type: DataType.SparseFloatVector },
    ];

    it('creates a collection with every common field type', async () => {
      const res = await ctx.client.createCollection({
        collection_name: name,
        description: 'all the types',
        fields,
        num_partitions: 4,
      });
      assertOk(res, 'createCollection(full)');
      const state = await ctx.client.getLoadState({ collection_name: name });
      assertOk(state);
      assert.equal(state.state, 'LoadStateNotLoad');
    });

    it('describeCollection returns every field as declared', async () => {
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assertOk(desc, 'describeCollection(full)');
      assert.equal(desc.schema.description, 'all the types');
      assert.equal(desc.schema.enable_dynamic_field, false);
      assert.equal(Number(desc.num_partitions), 4);
      assert.deepEqual(desc.schema.fields.map(f => f.name), fields.map(f => f.name));
      desc.schema.fields.forEach((f, i) => assert.equal(String(f.fieldID), String(100 + i), `fieldID of ${f.name}`));

      const expectType = {
        id: 'Int64', title: 'VarChar', flag: 'Bool', i8: 'Int8', i16: 'Int16', i32: 'Int32', i64: 'Int64',
        f32: 'Float', f64: 'Double', doc: 'JSON', tags: 'Array', maybe: 'Int32', dflt: 'Int64', tenant: 'Int64',
        vec: 'FloatVector', bvec: 'BinaryVector', hvec: 'Float16Vector', svec: 'SparseFloatVector',
      };
      for (const f of desc.schema.fields) assert.equal(f.data_type, expectType[f.name], `data_type of ${f.name}`);

      const id = fieldByName(desc, 'id');
      assert.equal(id.is_primary_key, true);
      assert.equal(id.autoID, true);
      assert.equal(kv(fieldByName(desc, 'title').type_params).max_length, '128');
      const tags = fieldByName(desc, 'tags');
      assert.equal(tags.element_type, 'Int64');
      assert.equal(kv(tags.type_params).max_capacity, '16');
      assert.equal(fieldByName(desc, 'maybe').nullable, true);
      assert.equal(fieldByName(desc, 'i32').nullable, false);
      assert.equal(String(fieldByName(desc, 'dflt').default_value), '7');
      assert.equal(fieldByName(desc, 'tenant').is_partition_key, true);
      assert.equal(kv(fieldByName(desc, 'vec').type_params).dim, '8');
      assert.equal(kv(fieldByName(desc, 'bvec').type_params).dim, '16');
      assert.equal(kv(fieldByName(desc, 'hvec').type_params).dim, '8');
      assert.equal(kv(fieldByName(desc, 'svec').type_params).dim, undefined, 'sparse vectors carry no dim');
    });

    it('a partition-key collection has num_partitions partitions', async () => {
      const res = await ctx.client.listPartitions({ collection_name: name });
      assertOk(res);
      assert.equal(res.partition_names.length, 4);
    });
  });

  describe('existence semantics', () => {
    it('re-creating with an identical schema succeeds', async () => {
      const name = uniq('idem');
      await createBasic(ctx.client, name);
      const before = await ctx.client.describeCollection({ collection_name: name });
      const again = await ctx.client._createCollection({ collection_name: name, fields: basicFields(8) });
      assertOk(again, 're-create identical');
      const after = await ctx.client.describeCollection({ collection_name: name });
      assert.equal(String(after.collectionID), String(before.collectionID), 'same collection, not a new one');
    });

    it('re-creating with a different schema fails', async () => {
      const name = uniq('diff');
      await createBasic(ctx.client, name);
      const again = await ctx.client._createCollection({ collection_name: name, fields: basicFields(16) });
      assertErr(again, {}, 're-create different dim');
    });

    it('dropping a missing collection succeeds', async () => {
      assertOk(await ctx.client.dropCollection({ collection_name: uniq('never') }), 'drop missing');
    });

    it('describing a missing collection fails with code 100', async () => {
      const missing = uniq('missing');
      const res = await ctx.client.describeCollection({ collection_name: missing });
      // Milvus' proxy rewrites collection-not-found on DescribeCollection for pymilvus:
      // error_code UnexpectedError, reason "can't find collection[database=..][collection=..]".
      assertErr(res, { code: 100, errorCode: 'UnexpectedError', reason: "can't find collection" }, 'describe missing');
      assert.ok(res.status.reason.includes(missing), 'reason names the collection');
    });

    it('drop then describe: gone; drop again: still success', async () => {
      const name = uniq('dropme');
      await createBasic(ctx.client, name);
      assertOk(await ctx.client.dropCollection({ collection_name: name }));
      assertErr(await ctx.client.describeCollection({ collection_name: name }), { code: 100 });
      const list = await ctx.client.listCollections();
      assert.ok(!list.collection_names.includes(name));
      assertOk(await ctx.client.dropCollection({ collection_name: name }), 'second drop');
    });

    it('a dropped name can be reused with another schema', async () => {
      const name = uniq('reuse');
      await createBasic(ctx.client, name, { dim: 8 });
      assertOk(await ctx.client.dropCollection({ collection_name: name }));
      await createBasic(ctx.client, name, { dim: 16 });
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assert.equal(kv(fieldByName(desc, 'vector').type_params).dim, '16');
    });

    it('consistency level given at create time is reported by describe', async () => {
      const name = uniq('strong');
      await createBasic(ctx.client, name, { consistency_level: 'Strong' });
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assert.equal(desc.consistency_level, 'Strong');
    });
  });

  describe('validation (server side)', () => {
    const badNames = [
      ['empty', ''],
      ['starting with a digit', '1abc'],
      ['containing a dash', 'a-b'],
      ['256 characters long', 'a'.repeat(256)],
    ];
    for (const [label, bad] of badNames) {
      it(`rejects a collection name ${label} with code 1100`, async () => {
        const res = await rawCreateCollection(ctx.client, { collection_name: bad, fields: basicFields(8) });
        assertErr(res, { code: 1100 }, `create "${bad.slice(0, 20)}"`);
      });
    }

    it('accepts a 255-character name', async () => {
      const name = `a${'b'.repeat(254)}`;
      assertOk(await rawCreateCollection(ctx.client, { collection_name: name, fields: basicFields(8) }));
      assertOk(await ctx.client.dropCollection({ collection_name: name }));
    });

    const badSchemas = [
      ['no primary key', [
        { name: 'id', data_type: DataType.Int64 },
        { name: 'vector', data_type: DataType.FloatVector, dim: 8 }]],
      ['two primary keys', [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'id2', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 8 }]],
      ['a VarChar primary key without max_length', [
        { name: 'id', data_type: DataType.VarChar, is_primary_key: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 8 }]],
      ['a vector without dim', [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vector', data_type: DataType.FloatVector }]],
      ['dim 0', [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 0 }]],
      ['a binary vector whose dim is not a multiple of 8', [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vector', data_type: DataType.BinaryVector, dim: 12 }]],
      ['no vector field', 1100, [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'x', data_type: DataType.Int32 }]],
      ['duplicate field names', [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
        { name: 'vector', data_type: DataType.Int32 }]],
      ['more than 64 fields', basicFields(8, Array.from({ length: 63 }, (_, i) => ({ name: `f${i}`, data_type: DataType.Int32 })))],
    ];
    for (const entry of badSchemas) {
      const [label, code, fields] = entry.length === 3 ? entry : [entry[0], undefined, entry[1]];
      it(`rejects a schema with ${label}`, async () => {
        const name = uniq('bad');
        const res = await rawCreateCollection(ctx.client, { collection_name: name, fields });
        assertErr(res, code === undefined ? {} : { code }, label);
        const d = await ctx.client.describeCollection({ collection_name: name });
        assertErr(d, { code: 100 }, 'rejected collection must not exist');
      });
    }

    it('accepts exactly 64 fields', async () => {
      const name = uniq('f64');
      const fields = basicFields(8, Array.from({ length: 62 }, (_, i) => ({ name: `f${i}`, data_type: DataType.Int32 })));
      assertOk(await rawCreateCollection(ctx.client, { collection_name: name, fields }));
    });
  });

  describe('rename', () => {
    it('renames a collection', async () => {
      const a = uniq('ren_a');
      const b = uniq('ren_b');
      await createBasic(ctx.client, a);
      const id = (await ctx.client.describeCollection({ collection_name: a })).collectionID;
      assertOk(await ctx.client.renameCollection({ collection_name: a, new_collection_name: b }), 'rename');
      assertErr(await ctx.client.describeCollection({ collection_name: a }), { code: 100 });
      const desc = await ctx.client.describeCollection({ collection_name: b });
      assertOk(desc);
      assert.equal(desc.collection_name, b);
      assert.equal(String(desc.collectionID), String(id));
      const list = await ctx.client.listCollections();
      assert.ok(list.collection_names.includes(b));
      assert.ok(!list.collection_names.includes(a));
    });

    it('fails when the target name exists', async () => {
      const a = uniq('ren_x');
      const b = uniq('ren_y');
      await createBasic(ctx.client, a);
      await createBasic(ctx.client, b);
      assertErr(await ctx.client.renameCollection({ collection_name: a, new_collection_name: b }), {}, 'rename onto existing');
      assertOk(await ctx.client.describeCollection({ collection_name: a }));
    });

    it('fails when the source does not exist', async () => {
      const res = await ctx.client.renameCollection({ collection_name: uniq('nosrc'), new_collection_name: uniq('dst') });
      assertErr(res, {}, 'rename missing');
    });

    it('fails for an invalid target name', async () => {
      const a = uniq('ren_inv');
      await createBasic(ctx.client, a);
      assertErr(await ctx.client.renameCollection({ collection_name: a, new_collection_name: '1bad-name' }), { code: 1100 });
    });
  });

  describe('alter properties', () => {
    const name = uniq('props');

    it('sets collection.ttl.seconds and describe shows it', async () => {
      await createBasic(ctx.client, name);
      const res = await ctx.client.alterCollectionProperties({
        collection_name: name,
        properties: { 'collection.ttl.seconds': 3600 },
      });
      assertOk(res, 'alterCollectionProperties');
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assert.equal(kv(desc.properties)['collection.ttl.seconds'], '3600');
    });

    it('rejects an invalid TTL with code 1100', async () => {
      const res = await ctx.client.alterCollectionProperties({
        collection_name: name,
        properties: { 'collection.ttl.seconds': 'abc' },
      });
      assertErr(res, { code: 1100 });
    });

    it('dropCollectionProperties removes the key', async () => {
      const res = await ctx.client.dropCollectionProperties({
        collection_name: name,
        properties: ['collection.ttl.seconds'],
      });
      assertOk(res, 'dropCollectionProperties');
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assert.equal(kv(desc.properties)['collection.ttl.seconds'], undefined);
    });

    it('altering a missing collection fails with code 100', async () => {
      const res = await ctx.client.alterCollectionProperties({
        collection_name: uniq('nope'),
        properties: { 'collection.ttl.seconds': 10 },
      });
      assertErr(res, { code: 100 });
    });
  });

  describe('add field', () => {
    const name = uniq('addf');

    it('adds a nullable field', async () => {
      await createBasic(ctx.client, name);
      const res = await ctx.client.addCollectionField({
        collection_name: name,
        field: { name: 'extra', data_type: DataType.Int64, nullable: true },
      });
      assertOk(res, 'addCollectionField(nullable)');
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assert.deepEqual(desc.schema.fields.map(f => f.name), ['id', 'vector', 'extra']);
      const extra = fieldByName(desc, 'extra');
      assert.equal(extra.nullable, true);
      assert.equal(extra.data_type, 'Int64');
      assert.ok(Number(extra.fieldID) > 101, 'new field gets a fresh id');
    });

    it('rejects a non-nullable field', async () => {
      const res = await ctx.client.addCollectionField({
        collection_name: name,
        field: { name: 'strict', data_type: DataType.Int64 },
      });
      assertErr(res, {}, 'addCollectionField(non-nullable)');
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assert.equal(fieldByName(desc, 'strict'), undefined);
    });

    it('rejects a duplicate field name', async () => {
      const res = await ctx.client.addCollectionField({
        collection_name: name,
        field: { name: 'extra', data_type: DataType.Int64, nullable: true },
      });
      assertErr(res, {}, 'addCollectionField(duplicate)');
    });
  });
});
