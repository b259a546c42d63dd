// Partitions: _default, create/has/list/drop, idempotency, partition-key collections,
// load/release of partitions.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer, assertOk, assertErr, uniq, DataType, createBasic, createVectorIndex, kv,
} from './lib/helpers.mjs';

describe('partitions', () => {
  const ctx = useServer({ before, after });

  describe('basic partition DDL', () => {
    const name = uniq('parts');

    it('a new collection has exactly the _default partition', async () => {
      await createBasic(ctx.client, name);
      const res = await ctx.client.listPartitions({ collection_name: name });
      assertOk(res, 'listPartitions');
      assert.deepEqual(res.partition_names, ['_default']);
      assert.equal(res.partitionIDs.length, 1);
      assert.notEqual(String(res.partitionIDs[0]), '0');
      const has = await ctx.client.hasPartition({ collection_name: name, partition_name: '_default' });
      assertOk(has);
      assert.equal(has.value, true);
    });

    it('createPartition / hasPartition / listPartitions', async () => {
      assertOk(await ctx.client.createPartition({ collection_name: name, partition_name: 'p1' }), 'create p1');
      assertOk(await ctx.client.createPartition({ collection_name: name, partition_name: 'p2' }), 'create p2');
      const has = await ctx.client.hasPartition({ collection_name: name, partition_name: 'p1' });
      assertOk(has);
      assert.equal(has.value, true);
      const hasNot = await ctx.client.hasPartition({ collection_name: name, partition_name: 'nope' });
      assertOk(hasNot);
      assert.equal(hasNot.value, false);
      const res = await ctx.client.listPartitions({ collection_name: name });
      assertOk(res);
      assert.deepEqual([...res.partition_names].sort(), ['_default', 'p1', 'p2']);
      assert.equal(new Set(res.partitionIDs.map(String)).size, 3, 'distinct partition ids');
    });

    it('creating an existing partition succeeds and does not duplicate it', async () => {
      const before = await ctx.client.listPartitions({ collection_name: name });
      assertOk(await ctx.client.createPartition({ collection_name: name, partition_name: 'p1' }), 'create p1 again');
      const after = await ctx.client.listPartitions({ collection_name: name });
      assert.deepEqual(after.partition_names, before.partition_names);
      assert.deepEqual(after.partitionIDs.map(String), before.partitionIDs.map(String));
    });

    it('getPartitionStatistics reports row_count 0', async () => {
      const res = await ctx.client.getPartitionStatistics({ collection_name: name, partition_name: 'p1' });
      assertOk(res, 'getPartitionStatistics');
      assert.equal(kv(res.stats).row_count, '0');
    });

    it('dropPartition removes it; dropping it again succeeds', async () => {
      assertOk(await ctx.client.dropPartition({ collection_name: name, partition_name: 'p2' }), 'drop p2');
      const has = await ctx.client.hasPartition({ collection_name: name, partition_name: 'p2' });
      assert.equal(has.value, false);
      const res = await ctx.client.listPartitions({ collection_name: name });
      assert.deepEqual([...res.partition_names].sort(), ['_default', 'p1']);
      assertOk(await ctx.client.dropPartition({ collection_name: name, partition_name: 'p2' }), 'drop p2 again');
    });

    it('the _default partition cannot be dropped', async () => {
      assertErr(await ctx.client.dropPartition({ collection_name: name, partition_name: '_default' }), {}, 'drop _default');
      const has = await ctx.client.hasPartition({ collection_name: name, partition_name: '_default' });
      assert.equal(has.value, true);
    });

    it('invalid partition names are rejected with code 1100', async () => {
      // (Milvus allows a leading digit in partition names, unlike collection names.)
      for (const bad of ['p!x', 'p x', 'x'.repeat(256)]) {
        const res = await ctx.client.createPartition({ collection_name: name, partition_name: bad });
        assertErr(res, { code: 1100 }, `createPartition(${bad.slice(0, 10)})`);
      }
    });

    it('partition operations on a missing collection fail with code 100', async () => {
      const missing = uniq('missing');
      assertErr(await ctx.client.createPartition({ collection_name: missing, partition_name: 'p' }), { code: 100 });
      assertErr(await ctx.client.listPartitions({ collection_name: missing }), { code: 100 });
    });
  });

  describe('partition key collections', () => {
    const fields = [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'tenant', data_type: DataType.VarChar, max_length: 64, is_partition_key: true },
      { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
    ];

    it('defaults to 16 partitions named _default_0.._default_15', async () => {
      const name = uniq('pk16');
      assertOk(await ctx.client.createCollection({ collection_name: name, fields }));
      const desc = await ctx.client.describeCollection({ collection_name: name });
      assert.equal(Number(desc.num_partitions), 16);
      const res = await ctx.client.listPartitions({ collection_name: name });
      assertOk(res);
      assert.equal(res.partition_names.length, 16);
      const expected = Array.from({ length: 16 }, (_, i) => `_default_${i}`);
      assert.deepEqual([...res.partition_names].sort(), expected.sort());
    });

    it('honours num_partitions and rejects user partition DDL', async () => {
      const name = uniq('pk3');
      assertOk(await ctx.client.createCollection({ collection_name: name, fields, num_partitions: 3 }));
      const res = await ctx.client.listPartitions({ collection_name: name });
      assert.equal(res.partition_names.length, 3);
      assertErr(await ctx.client.createPartition({ collection_name: name, partition_name: 'mine' }), {}, 'createPartition in pk mode');
      assertErr(await ctx.client.dropPartition({ collection_name: name, partition_name: '_default_0' }), {}, 'dropPartition in pk mode');
      const after = await ctx.client.listPartitions({ collection_name: name });
      assert.equal(after.partition_names.length, 3);
    });

    it('num_partitions without a partition key field is rejected', async () => {
      const name = uniq('nopk');
      const res = await ctx.client._createCollection({
        collection_name: name,
        fields: [
          { name: 'id', data_type: DataType.Int64, is_primary_key: true },
          { name: 'vector', data_type: DataType.FloatVector, dim: 8 },
        ],
        num_partitions: 4,
      });
      assertErr(res, {}, 'num_partitions without partition key');
    });
  });

  describe('load / release partitions', () => {
    const name = uniq('pload');

    before(async () => {
      await createBasic(ctx.client, name);
      await createVectorIndex(ctx.client, name);
      assertOk(await ctx.client.createPartition({ collection_name: name, partition_name: 'hot' }));
      assertOk(await ctx.client.createPartition({ collection_name: name, partition_name: 'cold' }));
    });

    it('loadPartitions loads only the named partition', async () => {
      assertOk(await ctx.client.loadPartitionsSync({ collection_name: name, partition_names: ['hot'] }), 'loadPartitionsSync');
      const hot = await ctx.client.getLoadState({ collection_name: name, partition_names: ['hot'] });
      assertOk(hot);
      assert.equal(hot.state, 'LoadStateLoaded');
      const cold = await ctx.client.getLoadState({ collection_name: name, partition_names: ['cold'] });
      assertOk(cold);
      assert.equal(cold.state, 'LoadStateNotLoad');
      const progress = await ctx.client.getLoadingProgress({ collection_name: name, partition_names: ['hot'] });
      assertOk(progress);
      assert.equal(Number(progress.progress), 100);
    });

    it('a loaded partition cannot be dropped', async () => {
      assertErr(await ctx.client.dropPartition({ collection_name: name, partition_name: 'hot' }), {}, 'drop loaded partition');
      const has = await ctx.client.hasPartition({ collection_name: name, partition_name: 'hot' });
      assert.equal(has.value, true);
    });

    it('releasePartitions releases it', async () => {
      assertOk(await ctx.client.releasePartitions({ collection_name: name, partition_names: ['hot'] }), 'releasePartitions');
      const hot = await ctx.client.getLoadState({ collection_name: name, partition_names: ['hot'] });
      assertOk(hot);
      assert.equal(hot.state, 'LoadStateNotLoad');
      assertOk(await ctx.client.dropPartition({ collection_name: name, partition_name: 'hot' }), 'drop released partition');
    });

    it('loading a missing partition fails', async () => {
      const res = await ctx.client.loadPartitions({ collection_name: name, partition_names: ['ghost'] });
      assertErr(res, {}, 'loadPartitions(ghost)');
    });
  });
});
