// Load state: load requires an index on every vector field; getLoadState transitions;
// loading progress; idempotent load/release; missing collections.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, assertErr, uniq, DataType, createBasic, createVectorIndex } from './lib/helpers.mjs';

describe('load / release', () => {
  const ctx = useServer({ before, after });
  const name = uniq('load');

  it('a new collection is NotLoad', async () => {
    await createBasic(ctx.client, name);
    const res = await ctx.client.getLoadState({ collection_name: name });
    assertOk(res, 'getLoadState');
    assert.equal(res.state, 'LoadStateNotLoad');
  });

  it('loading without an index fails', async () => {
    const res = await ctx.client.loadCollectionAsync({ collection_name: name });
    assertErr(res, { reason: /index/i }, 'load without index');
    const state = await ctx.client.getLoadState({ collection_name: name });
    assert.equal(state.state, 'LoadStateNotLoad');
  });

  it('with an index, loadCollection succeeds and state becomes Loaded', async () => {
    await createVectorIndex(ctx.client, name);
    const res = await ctx.client.loadCollectionSync({ collection_name: name });
    assertOk(res, 'loadCollectionSync');
    const state = await ctx.client.getLoadState({ collection_name: name });
    assertOk(state);
    assert.equal(state.state, 'LoadStateLoaded');
    const progress = await ctx.client.getLoadingProgress({ collection_name: name });
    assertOk(progress, 'getLoadingProgress');
    assert.equal(Number(progress.progress), 100);
  });

  it('showCollections reports the loaded collection as 100% in memory', async () => {
    const res = await ctx.client.showCollections();
    assertOk(res);
    const entry = res.data.find(c => c.name === name);
    assert.ok(entry);
    assert.equal(Number(entry.loadedPercentage), 100);
  });

  it('loading again is a no-op success', async () => {
    assertOk(await ctx.client.loadCollectionAsync({ collection_name: name }), 'second load');
    const state = await ctx.client.getLoadState({ collection_name: name });
    assert.equal(state.state, 'LoadStateLoaded');
  });

  it('release makes it NotLoad; releasing again succeeds', async () => {
    assertOk(await ctx.client.releaseCollection({ collection_name: name }), 'release');
    const state = await ctx.client.getLoadState({ collection_name: name });
    assertOk(state);
    assert.equal(state.state, 'LoadStateNotLoad');
    assertOk(await ctx.client.releaseCollection({ collection_name: name }), 'second release');
  });

  it('it can be loaded again after release', async () => {
    assertOk(await ctx.client.loadCollectionSync({ collection_name: name }));
    const state = await ctx.client.getLoadState({ collection_name: name });
    assert.equal(state.state, 'LoadStateLoaded');
  });

  it('dropping a loaded collection succeeds', async () => {
    assertOk(await ctx.client.dropCollection({ collection_name: name }), 'drop loaded collection');
    assertErr(await ctx.client.describeCollection({ collection_name: name }), { code: 100 });
  });

  it('load of a missing collection fails with code 100; getLoadState reports NotExist', async () => {
    const missing = uniq('missing');
    assertErr(await ctx.client.loadCollectionAsync({ collection_name: missing }), { code: 100 }, 'load missing');
    // Milvus's proxy answers GetLoadState for an unknown collection with success and
    // LoadStateNotExist (internal/proxy/impl.go GetLoadState).
    const state = await ctx.client.getLoadState({ collection_name: missing });
    assertOk(state, 'getLoadState missing');
    assert.equal(state.state, 'LoadStateNotExist');
    assertErr(await ctx.client.releaseCollection({ collection_name: missing }), { code: 100 }, 'release missing');
  });

  it('every vector field needs an index before load', async () => {
    const multi = uniq('multi');
    assertOk(await ctx.client.createCollection({
      collection_name: multi,
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'v1', data_type: DataType.FloatVector, dim: 8 },
        { name: 'v2', data_type: DataType.FloatVector, dim: 4 },
      ],
    }));
    assertOk(await ctx.client.createIndex({ collection_name: multi, field_name: 'v1', index_type: 'FLAT', metric_type: 'L2' }));
    const res = await ctx.client.loadCollectionAsync({ collection_name: multi });
    assertErr(res, { reason: 'v2' }, 'load with one vector field unindexed');
    assert.equal((await ctx.client.getLoadState({ collection_name: multi })).state, 'LoadStateNotLoad');
    assertOk(await ctx.client.createIndex({ collection_name: multi, field_name: 'v2', index_type: 'FLAT', metric_type: 'L2' }));
    assertOk(await ctx.client.loadCollectionSync({ collection_name: multi }));
    assert.equal((await ctx.client.getLoadState({ collection_name: multi })).state, 'LoadStateLoaded');
  });

  it('a scalar index is not required for load', async () => {
    const c = uniq('scalar');
    await createBasic(ctx.client, c, { extra: [{ name: 'age', data_type: DataType.Int64 }] });
    await createVectorIndex(ctx.client, c);
    assertOk(await ctx.client.loadCollectionSync({ collection_name: c }));
  });

  it('load state is per collection', async () => {
    const a = uniq('la');
    const b = uniq('lb');
    for (const c of [a, b]) {
      await createBasic(ctx.client, c);
      await createVectorIndex(ctx.client, c);
    }
    await ctx.client.loadCollectionSync({ collection_name: a });
    assert.equal((await ctx.client.getLoadState({ collection_name: a })).state, 'LoadStateLoaded');
    assert.equal((await ctx.client.getLoadState({ collection_name: b })).state, 'LoadStateNotLoad');
  });

});
