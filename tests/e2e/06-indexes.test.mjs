// Indexes: create (AUTOINDEX flat params, HNSW/IVF_FLAT nested and flat params, scalar),
// describe/list, one-index-per-field rules, validation, drop (loaded vs released), alter.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  useServer, assertOk, assertErr, uniq, DataType, createBasic, createVectorIndex, indexParams,
} from './lib/helpers.mjs';

describe('indexes', () => {
  const ctx = useServer({ before, after });

  describe('quick setup index', () => {
    it('quick createCollection builds an AUTOINDEX/COSINE index named after the field', async () => {
      const name = uniq('qidx');
      await ctx.client.createCollection({ collection_name: name, dimension: 8 });
      const res = await ctx.client.describeIndex({ collection_name: name });
      assertOk(res, 'describeIndex');
      assert.equal(res.index_descriptions.length, 1);
      const d = res.index_descriptions[0];
      assert.equal(d.index_name, 'vector');
      assert.equal(d.field_name, 'vector');
      assert.equal(d.state, 'Finished');
      assert.notEqual(String(d.indexID), '0');
      const p = indexParams(d);
      assert.equal(p.index_type, 'AUTOINDEX');
      assert.equal(p.metric_type, 'COSINE');
    });
  });

  describe('lifecycle on one collection', () => {
    const name = uniq('idx');

    before(async () => {
      await createBasic(ctx.client, name, {
        extra: [
          { name: 'age', data_type: DataType.Int64 },
          { name: 'title', data_type: DataType.VarChar, max_length: 64 },
        ],
      });
    });

    it('describeIndex without any index fails with code 700', async () => {
      const res = await ctx.client.describeIndex({ collection_name: name });
      assertErr(res, { code: 700 }, 'describeIndex(no index)');
      const list = await ctx.client.listIndexes({ collection_name: name });
      assert.deepEqual(list.indexes, []);
    });

    it('createIndex AUTOINDEX with flat extra params', async () => {
      const res = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        extra_params: { index_type: 'AUTOINDEX', metric_type: 'L2' },
      });
      assertOk(res, 'createIndex(AUTOINDEX)');
      const desc = await ctx.client.describeIndex({ collection_name: name, index_name: 'vector' });
      assertOk(desc);
      assert.equal(desc.index_descriptions.length, 1);
      const d = desc.index_descriptions[0];
      assert.equal(d.index_name, 'vector', 'index name defaults to the field name');
      assert.equal(d.field_name, 'vector');
      assert.equal(d.state, 'Finished');
      const p = indexParams(d);
      assert.equal(p.index_type, 'AUTOINDEX');
      assert.equal(p.metric_type, 'L2');
    });

    it('creating the same index again succeeds', async () => {
      const res = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        extra_params: { index_type: 'AUTOINDEX', metric_type: 'L2' },
      });
      assertOk(res, 'createIndex(same again)');
      const desc = await ctx.client.describeIndex({ collection_name: name });
      assert.equal(desc.index_descriptions.length, 1);
    });

    it('a second, different index on the same field fails', async () => {
      const sameName = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        index_type: 'HNSW',
        metric_type: 'L2',
        params: { M: 16, efConstruction: 64 },
      });
      assertErr(sameName, {}, 'different params, same (default) name');
      const otherName = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        index_name: 'vec2',
        index_type: 'HNSW',
        metric_type: 'L2',
        params: { M: 16, efConstruction: 64 },
      });
      assertErr(otherName, {}, 'different params, different name');
      const desc = await ctx.client.describeIndex({ collection_name: name });
      assert.equal(desc.index_descriptions.length, 1);
      assert.equal(indexParams(desc.index_descriptions[0]).index_type, 'AUTOINDEX');
    });

    it('a scalar index defaults its name to the field name', async () => {
      assertOk(await ctx.client.createIndex({ collection_name: name, field_name: 'age', index_type: 'STL_SORT' }), 'createIndex(STL_SORT)');
      const desc = await ctx.client.describeIndex({ collection_name: name, index_name: 'age' });
      assertOk(desc);
      assert.equal(desc.index_descriptions.length, 1);
      assert.equal(desc.index_descriptions[0].field_name, 'age');
      assert.equal(indexParams(desc.index_descriptions[0]).index_type, 'STL_SORT');
    });

    it('listIndexes / describeIndex(all) list every index; field_name filters', async () => {
      const list = await ctx.client.listIndexes({ collection_name: name });
      assertOk(list);
      assert.deepEqual([...list.indexes].sort(), ['age', 'vector']);
      const all = await ctx.client.describeIndex({ collection_name: name });
      assert.equal(all.index_descriptions.length, 2);
      for (const d of all.index_descriptions) assert.equal(d.state, 'Finished');
      const byField = await ctx.client.describeIndex({ collection_name: name, field_name: 'age' });
      assertOk(byField);
      assert.deepEqual(byField.index_descriptions.map(d => d.index_name), ['age']);
    });

    it('describeIndex of an unknown index name fails with code 700', async () => {
      assertErr(await ctx.client.describeIndex({ collection_name: name, index_name: 'nope' }), { code: 700 });
    });

    it('dropIndex on a loaded collection fails; after release it succeeds', async () => {
      await ctx.client.loadCollectionSync({ collection_name: name });
      assertErr(await ctx.client.dropIndex({ collection_name: name, index_name: 'vector' }), {}, 'dropIndex(loaded)');
      const still = await ctx.client.describeIndex({ collection_name: name, index_name: 'vector' });
      assertOk(still, 'index still there');
      assertOk(await ctx.client.releaseCollection({ collection_name: name }));
      assertOk(await ctx.client.dropIndex({ collection_name: name, index_name: 'vector' }), 'dropIndex(released)');
      assertErr(await ctx.client.describeIndex({ collection_name: name, index_name: 'vector' }), { code: 700 });
      const list = await ctx.client.listIndexes({ collection_name: name });
      assert.deepEqual(list.indexes, ['age']);
    });

    it('dropping a missing index succeeds', async () => {
      assertOk(await ctx.client.dropIndex({ collection_name: name, index_name: 'vector' }), 'dropIndex(missing)');
    });

    it('after dropping, a different index type can be created on the field', async () => {
      const res = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        index_type: 'HNSW',
        metric_type: 'L2',
        params: { M: 16, efConstruction: 64 },
      });
      assertOk(res, 'createIndex(HNSW) after drop');
      const d = (await ctx.client.describeIndex({ collection_name: name, index_name: 'vector' })).index_descriptions[0];
      assert.equal(indexParams(d).index_type, 'HNSW');
    });
  });

  describe('index types and parameters', () => {
    it('HNSW with nested params (M, efConstruction) and a custom name', async () => {
      const name = uniq('hnsw');
      await createBasic(ctx.client, name);
      const res = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        index_name: 'hnsw_idx',
        index_type: 'HNSW',
        metric_type: 'IP',
        params: { M: 16, efConstruction: 200 },
      });
      assertOk(res, 'createIndex(HNSW nested)');
      const desc = await ctx.client.describeIndex({ collection_name: name, index_name: 'hnsw_idx' });
      assertOk(desc);
      const d = desc.index_descriptions[0];
      assert.equal(d.index_name, 'hnsw_idx');
      assert.equal(d.field_name, 'vector');
      assert.equal(d.state, 'Finished');
      const p = indexParams(d);
      assert.equal(p.index_type, 'HNSW');
      assert.equal(p.metric_type, 'IP');
      assert.equal(String(p.M), '16');
      assert.equal(String(p.efConstruction), '200');
      assertErr(await ctx.client.describeIndex({ collection_name: name, index_name: 'vector' }), { code: 700 });
    });

    it('HNSW with flat params (as pymilvus MilvusClient sends them)', async () => {
      const name = uniq('hnswflat');
      await createBasic(ctx.client, name);
      const res = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        extra_params: { index_type: 'HNSW', metric_type: 'L2', M: '8', efConstruction: '64' },
      });
      assertOk(res, 'createIndex(HNSW flat)');
      const d = (await ctx.client.describeIndex({ collection_name: name })).index_descriptions[0];
      const p = indexParams(d);
      assert.equal(p.index_type, 'HNSW');
      assert.equal(p.metric_type, 'L2');
      assert.equal(String(p.M), '8');
      assert.equal(String(p.efConstruction), '64');
    });

    it('IVF_FLAT with nlist', async () => {
      const name = uniq('ivf');
      await createBasic(ctx.client, name);
      const res = await ctx.client.createIndex({
        collection_name: name,
        field_name: 'vector',
        index_type: 'IVF_FLAT',
        metric_type: 'L2',
        params: { nlist: 64 },
      });
      assertOk(res, 'createIndex(IVF_FLAT)');
      const d = (await ctx.client.describeIndex({ collection_name: name })).index_descriptions[0];
      const p = indexParams(d);
      assert.equal(p.index_type, 'IVF_FLAT');
      assert.equal(String(p.nlist), '64');
    });

    it('an index without index_type is AUTOINDEX', async () => {
      const name = uniq('noidxtype');
      await createBasic(ctx.client, name);
      assertOk(await ctx.client.createIndex({ collection_name: name, field_name: 'vector', extra_params: { metric_type: 'IP' } }));
      const d = (await ctx.client.describeIndex({ collection_name: name })).index_descriptions[0];
      const p = indexParams(d);
      assert.equal(p.index_type, 'AUTOINDEX');
      assert.equal(p.metric_type, 'IP');
    });

    it('binary vectors: BIN_FLAT/HAMMING ok, L2 rejected with 1100', async () => {
      const name = uniq('bin');
      assertOk(await ctx.client.createCollection({
        collection_name: name,
        fields: [
          { name: 'id', data_type: DataType.Int64, is_primary_key: true },
          { name: 'bv', data_type: DataType.BinaryVector, dim: 16 },
        ],
      }));
      assertErr(await ctx.client.createIndex({
        collection_name: name, field_name: 'bv', index_type: 'BIN_FLAT', metric_type: 'L2',
      }), { code: 1100 }, 'BIN_FLAT with L2');
      assertOk(await ctx.client.createIndex({
        collection_name: name, field_name: 'bv', index_type: 'BIN_FLAT', metric_type: 'HAMMING',
      }), 'BIN_FLAT with HAMMING');
    });

    it('sparse vectors: SPARSE_INVERTED_INDEX/IP ok', async () => {
      const name = uniq('sparse');
      assertOk(await ctx.client.createCollection({
        collection_name: name,
        fields: [
          { name: 'id', data_type: DataType.Int64, is_primary_key: true },
          { name: 'sv', data_type: DataType.SparseFloatVector },
        ],
      }));
      assertErr(await ctx.client.createIndex({
        collection_name: name, field_name: 'sv', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'L2',
      }), {}, 'sparse index with L2');
      assertOk(await ctx.client.createIndex({
        collection_name: name, field_name: 'sv', index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'IP',
      }), 'sparse index with IP');
    });
  });

  describe('validation', () => {
    const name = uniq('idxval');
    before(async () => {
      await createBasic(ctx.client, name);
    });

    it('an unknown index_type is rejected with code 1100', async () => {
      assertErr(await ctx.client.createIndex({
        collection_name: name, field_name: 'vector', index_type: 'NOT_AN_INDEX', metric_type: 'L2',
      }), { code: 1100 });
    });

    it('a metric that does not fit the vector type is rejected with code 1100', async () => {
      assertErr(await ctx.client.createIndex({
        collection_name: name, field_name: 'vector', index_type: 'HNSW', metric_type: 'HAMMING',
        params: { M: 16, efConstruction: 64 },
      }), { code: 1100 });
      assertErr(await ctx.client.createIndex({
        collection_name: name, field_name: 'vector', index_type: 'FLAT', metric_type: 'NOT_A_METRIC',
      }), { code: 1100 });
    });

    it('out-of-range build params are rejected with code 1100', async () => {
      assertErr(await ctx.client.createIndex({
        collection_name: name, field_name: 'vector', index_type: 'HNSW', metric_type: 'L2',
        params: { M: 1, efConstruction: 64 },
      }), { code: 1100 }, 'HNSW M=1');
    });

    it('an index on a missing field fails', async () => {
      assertErr(await ctx.client.createIndex({
        collection_name: name, field_name: 'nope', index_type: 'FLAT', metric_type: 'L2',
      }), {}, 'index on missing field');
    });

    it('an index on a missing collection fails with code 100', async () => {
      assertErr(await ctx.client.createIndex({
        collection_name: uniq('nocoll'), field_name: 'vector', index_type: 'FLAT', metric_type: 'L2',
      }), { code: 100 });
    });

    it('nothing was created by the rejected requests', async () => {
      assertErr(await ctx.client.describeIndex({ collection_name: name }), { code: 700 });
    });
  });

  describe('alterIndex', () => {
    const name = uniq('alteridx');
    before(async () => {
      await createBasic(ctx.client, name);
      await createVectorIndex(ctx.client, name);
      await ctx.client.loadCollectionSync({ collection_name: name });
    });

    it('altering an index of a loaded collection fails with code 104', async () => {
      const res = await ctx.client.alterIndexProperties({
        collection_name: name, index_name: 'vector', params: { 'mmap.enabled': true },
      });
      assertErr(res, { code: 104 });
    });

    it('after release, mmap.enabled can be set and is reported by describeIndex', async () => {
      assertOk(await ctx.client.releaseCollection({ collection_name: name }));
      const res = await ctx.client.alterIndexProperties({
        collection_name: name, index_name: 'vector', params: { 'mmap.enabled': true },
      });
      assertOk(res, 'alterIndexProperties');
      const d = (await ctx.client.describeIndex({ collection_name: name, index_name: 'vector' })).index_descriptions[0];
      const p = indexParams(d);
      assert.equal(String(p['mmap.enabled']).toLowerCase(), 'true');
      assert.equal(p.index_type, 'AUTOINDEX');
    });

    it('dropIndexProperties removes it', async () => {
      const res = await ctx.client.dropIndexProperties({
        collection_name: name, index_name: 'vector', properties: ['mmap.enabled'],
      });
      assertOk(res, 'dropIndexProperties');
      const d = (await ctx.client.describeIndex({ collection_name: name, index_name: 'vector' })).index_descriptions[0];
      assert.equal(indexParams(d)['mmap.enabled'], undefined);
    });

    it('a non-configurable key is rejected with code 1100', async () => {
      const res = await ctx.client.alterIndexProperties({
        collection_name: name, index_name: 'vector', params: { M: 32 },
      });
      assertErr(res, { code: 1100 });
    });
  });
});
