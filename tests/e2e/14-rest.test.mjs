// RESTful API v2 (`/v2/vectordb/...`) on the gRPC port: every served endpoint with plain
// fetch, Milvus's envelope ({code, data} / {code, message}, always HTTP 200), error cases,
// int64 rendering, and a write over REST read back over gRPC with the Node SDK.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, uniq } from './lib/helpers.mjs';

describe('REST v2', () => {
  const ctx = useServer({ before, after });
  const call = async (path, body, headers = {}) => {
    const res = await fetch(`http://${ctx.server.address}/v2/vectordb/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    assert.equal(res.status, 200, `${path}: HTTP ${res.status}`);
    return res.json();
  };
  const ok = async (path, body, headers) => {
    const r = await call(path, body, headers);
    assert.equal(r.code, 0, `${path}: ${JSON.stringify(r)}`);
    return r;
  };
  const err = async (path, body, code) => {
    const r = await call(path, body);
    assert.equal(r.code, code, `${path}: ${JSON.stringify(r)}`);
    assert.ok(typeof r.message === 'string' && r.message.length > 0);
    return r;
  };

  it('collections: quick create, describe, list, has, stats, load state, rename, drop', async () => {
    const name = uniq('rq');
    await ok('collections/create', { collectionName: name, dimension: 4, metricType: 'L2' });
    assert.ok((await ok('collections/list', {})).data.includes(name));
    assert.deepEqual((await ok('collections/has', { collectionName: name })).data, { has: true });
    assert.deepEqual((await ok('collections/has', { collectionName: 'nope_' + name })).data, { has: false });
    const d = (await ok('collections/describe', { collectionName: name })).data;
    assert.equal(d.collectionName, name);
    assert.equal(d.enableDynamicField, true);
    assert.equal(d.load, 'LoadStateLoaded');
    assert.deepEqual(d.fields.map(f => [f.name, f.type, f.primaryKey]), [['id', 'Int64', true], ['vector', 'FloatVector', false]]);
    assert.deepEqual(d.indexes, [{ fieldName: 'vector', indexName: 'vector', metricType: 'L2' }]);
    assert.deepEqual((await ok('collections/get_stats', { collectionName: name })).data, { rowCount: 0 });
    assert.deepEqual((await ok('collections/get_load_state', { collectionName: name })).data,
      { loadState: 'LoadStateLoaded', loadProgress: 100 });
    await ok('collections/release', { collectionName: name });
    assert.deepEqual((await ok('collections/get_load_state', { collectionName: name })).data, { loadState: 'LoadStateNotLoad' });
    await ok('collections/load', { collectionName: name });
    await ok('collections/alter_properties', { collectionName: name, properties: { 'collection.ttl.seconds': 60 } });
    let props = (await ok('collections/describe', { collectionName: name })).data.properties;
    assert.ok(props.some(p => p.key === 'collection.ttl.seconds' && p.value === '60'), JSON.stringify(props));
    await ok('collections/drop_properties', { collectionName: name, propertyKeys: ['collection.ttl.seconds'] });
    props = (await ok('collections/describe', { collectionName: name })).data.properties;
    assert.ok(!props.some(p => p.key === 'collection.ttl.seconds'));
    await ok('collections/release', { collectionName: name });
    await ok('collections/fields/add', { collectionName: name, schema: { fieldName: 'extra', dataType: 'Int32', nullable: true } });
    assert.ok((await ok('collections/describe', { collectionName: name })).data.fields.some(f => f.name === 'extra'));
    const renamed = uniq('rr');
    await ok('collections/rename', { collectionName: name, newCollectionName: renamed });
    assert.deepEqual((await ok('collections/has', { collectionName: renamed })).data, { has: true });
    await ok('collections/drop', { collectionName: renamed });
    assert.deepEqual((await ok('collections/has', { collectionName: renamed })).data, { has: false });
  });

  it('collections: full schema with indexParams creates indexes and loads', async () => {
    const name = uniq('rs');
    await ok('collections/create', {
      collectionName: name,
      schema: {
        autoID: false, enableDynamicField: false,
        fields: [
          { fieldName: 'pk', dataType: 'VarChar', isPrimary: true, elementTypeParams: { max_length: 64 } },
          { fieldName: 'n', dataType: 'Int64', nullable: true },
          { fieldName: 'tags', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: 4, max_length: 8 } },
          { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
        ],
      },
      indexParams: [{ fieldName: 'v', indexName: 'v_idx', metricType: 'IP', indexType: 'HNSW', params: { M: 8, efConstruction: 64 } }],
      params: { consistencyLevel: 'Strong' },
    });
    const d = (await ok('collections/describe', { collectionName: name })).data;
    assert.equal(d.load, 'LoadStateLoaded');
    assert.equal(d.consistencyLevel, 'Strong');
    assert.equal(d.fields.find(f => f.name === 'tags').elementType, 'VarChar');
    const idx = (await ok('indexes/describe', { collectionName: name, indexName: 'v_idx' })).data;
    assert.equal(idx.length, 1);
    assert.equal(idx[0].indexType, 'HNSW');
    assert.equal(idx[0].metricType, 'IP');
    assert.equal(idx[0].fieldName, 'v');
    assert.deepEqual((await ok('indexes/list', { collectionName: name })).data, ['v_idx']);
    await err('collections/create', { collectionName: uniq('bad'), schema: { fields: [{ fieldName: 'x', dataType: 'int64', isPrimary: true }] } }, 1100);
  });

  it('partitions: create, has, list, stats, load, release, drop', async () => {
    const name = uniq('rp');
    await ok('collections/create', { collectionName: name, dimension: 2 });
    await ok('partitions/create', { collectionName: name, partitionName: 'p1' });
    assert.deepEqual((await ok('partitions/has', { collectionName: name, partitionName: 'p1' })).data, { has: true });
    assert.deepEqual((await ok('partitions/list', { collectionName: name })).data.sort(), ['_default', 'p1']);
    await ok('entities/insert', { collectionName: name, partitionName: 'p1', data: [{ id: 1, vector: [1, 2] }, { id: 2, vector: [3, 4] }] });
    assert.deepEqual((await ok('partitions/get_stats', { collectionName: name, partitionName: 'p1' })).data, { rowCount: 2 });
    await ok('partitions/release', { collectionName: name, partitionNames: ['p1'] });
    await ok('partitions/load', { collectionName: name, partitionNames: ['p1'] });
    await err('partitions/load', { collectionName: name }, 1802);
    await ok('collections/release', { collectionName: name });
    await ok('partitions/drop', { collectionName: name, partitionName: 'p1' });
    assert.deepEqual((await ok('partitions/has', { collectionName: name, partitionName: 'p1' })).data, { has: false });
  });

  it('aliases: create, describe, list, alter, drop', async () => {
    const a = uniq('ca'), b = uniq('cb'), alias = uniq('al');
    await ok('collections/create', { collectionName: a, dimension: 2 });
    await ok('collections/create', { collectionName: b, dimension: 2 });
    await ok('aliases/create', { collectionName: a, aliasName: alias });
    assert.deepEqual((await ok('aliases/describe', { aliasName: alias })).data, { dbName: 'default', collectionName: a, aliasName: alias });
    assert.deepEqual((await ok('aliases/list', { collectionName: a })).data, [alias]);
    await ok('aliases/alter', { collectionName: b, aliasName: alias });
    assert.equal((await ok('aliases/describe', { aliasName: alias })).data.collectionName, b);
    await ok('aliases/drop', { aliasName: alias });
    await err('aliases/describe', { aliasName: alias }, 1600);
  });

  it('indexes: create, describe, list, drop', async () => {
    const name = uniq('ri');
    await ok('collections/create', { collectionName: name, schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 3 } }] } });
    assert.deepEqual((await ok('indexes/list', { collectionName: name })).data, []);
    await ok('indexes/create', { collectionName: name, indexParams: [{ fieldName: 'v', indexName: 'vi', metricType: 'L2' }] });
    assert.deepEqual((await ok('indexes/list', { collectionName: name })).data, ['vi']);
    const d = (await ok('indexes/describe', { collectionName: name, indexName: 'vi' })).data[0];
    assert.equal(d.metricType, 'L2');
    assert.equal(d.indexState, 'Finished');
    await ok('indexes/drop', { collectionName: name, indexName: 'vi' });
    assert.deepEqual((await ok('indexes/list', { collectionName: name })).data, []);
    await err('indexes/describe', { collectionName: name, indexName: 'vi' }, 700);
  });

  it('databases: create, list, describe, alter, drop; dbName routes other calls', async () => {
    const db = uniq('db');
    await ok('databases/create', { dbName: db, properties: { 'database.max.collections': 5 } });
    assert.ok((await ok('databases/list', {})).data.includes(db));
    const d = (await ok('databases/describe', { dbName: db })).data;
    assert.equal(d.dbName, db);
    assert.ok(d.properties.some(p => p.key === 'database.max.collections' && p.value === '5'));
    await ok('databases/alter', { dbName: db, properties: { 'database.max.collections': 7 } });
    assert.ok((await ok('databases/describe', { dbName: db })).data.properties.some(p => p.value === '7'));
    const c = uniq('dc');
    await ok('collections/create', { dbName: db, collectionName: c, dimension: 2 });
    assert.deepEqual((await ok('collections/list', { dbName: db })).data, [c]);
    assert.deepEqual((await ok('collections/list', {}, { 'DB-Name': db })).data, [c]);
    assert.ok(!(await ok('collections/list', {})).data.includes(c));
    await ok('collections/drop', { dbName: db, collectionName: c });
    await ok('databases/drop', { dbName: db });
    await err('databases/describe', { dbName: db }, 800);
    await err('databases/create', {}, 1802);
  });

  it('entities: insert, get, query, search, upsert, delete with dynamic fields and int64 modes', async () => {
    const name = uniq('re');
    await ok('collections/create', { collectionName: name, dimension: 2, metricType: 'L2', params: { consistencyLevel: 'Strong' } });
    const big = '9007199254740993';
    const rows = [
      { id: 1, vector: [0, 0], color: 'red', n: 1 },
      { id: 2, vector: [1, 1], color: 'blue', n: 2 },
      { id: 3, vector: [5, 5], color: 'red', n: 3 },
    ];
    const ins = await ok('entities/insert', { collectionName: name, data: rows });
    assert.deepEqual(ins.data, { insertCount: 3, insertIds: [1, 2, 3] });
    // int64 as strings on request, and a pk beyond 2^53 kept exactly.
    const r = await fetch(`http://${ctx.server.address}/v2/vectordb/entities/insert`, {
      method: 'POST', headers: { 'Accept-Type-Allow-Int64': 'false' },
      body: `{"collectionName":"${name}","data":{"id":${big},"vector":[9,9]}}` });
    assert.deepEqual((await r.json()).data, { insertCount: 1, insertIds: [big] });

    const got = (await ok('entities/get', { collectionName: name, id: [2, 3], outputFields: ['id', 'color'] })).data;
    assert.deepEqual(got.sort((x, y) => x.id - y.id), [{ id: 2, color: 'blue' }, { id: 3, color: 'red' }]);
    const all = (await ok('entities/query', { collectionName: name, filter: 'id < 100', outputFields: ['*'] })).data;
    assert.equal(all.length, 3);
    assert.deepEqual(all.find(x => x.id === 1), { id: 1, vector: [0, 0], color: 'red', n: 1 });
    const red = (await ok('entities/query', { collectionName: name, filter: 'color == "red"', outputFields: ['id'] })).data;
    assert.deepEqual(red.map(x => x.id).sort(), [1, 3]);
    assert.deepEqual((await ok('entities/query', { collectionName: name, filter: '', outputFields: ['count(*)'] })).data, [{ 'count(*)': 4 }]);
    const page = (await ok('entities/query', { collectionName: name, filter: 'id < 100', outputFields: ['id'], limit: 1, offset: 1 })).data;
    assert.equal(page.length, 1);
    const asStrings = await ok('entities/get', { collectionName: name, id: big, outputFields: ['id'] }, { 'Accept-Type-Allow-Int64': 'false' });
    assert.deepEqual(asStrings.data, [{ id: big }]);

    const s = await ok('entities/search', { collectionName: name, data: [[0, 0], [5, 5]], limit: 2, outputFields: ['color'], filter: 'id < 100' });
    assert.deepEqual(s.topks, [2, 2]);
    assert.deepEqual(s.data.map(x => x.id), [1, 2, 3, 2]);
    assert.equal(s.data[0].distance, 0);
    assert.equal(s.data[0].color, 'red');
    const grouped = await ok('entities/search', { collectionName: name, data: [[0, 0]], limit: 3, searchParams: { metricType: 'L2', params: {} } });
    assert.equal(grouped.data.length, 3);
    await err('entities/search', { collectionName: name, data: [[0, 0, 0]] }, 1801);

    const up = await ok('entities/upsert', { collectionName: name, data: [{ id: 2, vector: [2, 2], color: 'green', n: 20 }] });
    assert.deepEqual(up.data, { upsertCount: 1, upsertIds: [2] });
    assert.deepEqual((await ok('entities/get', { collectionName: name, id: 2, outputFields: ['color', 'n'] })).data, [{ id: 2, color: 'green', n: 20 }]);
    await ok('entities/delete', { collectionName: name, filter: 'id in [1, 2]' });
    assert.deepEqual((await ok('entities/query', { collectionName: name, filter: 'id < 100', outputFields: ['id'] })).data, [{ id: 3 }]);
    await err('entities/insert', { collectionName: name, data: [{ id: 7 }] }, 1804);
    await err('entities/insert', { collectionName: name, data: [{ id: 7, vector: [1, 2, 3] }] }, 1804);
  });

  it('errors: missing collection is code 100 over HTTP 200; bad bodies; unknown paths 404', async () => {
    const missing = 'missing_' + uniq('m');
    for (const path of ['collections/describe', 'collections/get_stats', 'collections/get_load_state', 'collections/load',
      'entities/insert', 'entities/query', 'entities/search', 'partitions/list', 'indexes/list']) {
      await err(path, { collectionName: missing, data: [{ id: 1 }], filter: 'id > 0' }, 100);
    }
    await err('collections/describe', {}, 1802);
    await err('collections/describe', 'not json', 1801);
    await err('collections/describe', { collectionName: 5 }, 1801);
    const res = await fetch(`http://${ctx.server.address}/v2/vectordb/collections/nope`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 404);
    assert.equal(await res.text(), '404 page not found');
    const opt = await fetch(`http://${ctx.server.address}/v2/vectordb/collections/list`, { method: 'OPTIONS' });
    assert.equal(opt.status, 204);
  });

  it('writes over REST are read back over gRPC with the Node SDK', async () => {
    const name = uniq('rg');
    await ok('collections/create', { collectionName: name, dimension: 3, params: { consistencyLevel: 'Strong' } });
    await ok('entities/insert', { collectionName: name, data: [{ id: 10, vector: [1, 0, 0], tag: 'a' }, { id: 11, vector: [0, 1, 0], tag: 'b' }] });
    const res = await ctx.client.query({ collection_name: name, filter: 'id >= 10', output_fields: ['id', 'tag', 'vector'] });
    assert.equal(res.status.error_code, 'Success');
    const byId = Object.fromEntries(res.data.map(r => [String(r.id), r]));
    assert.equal(byId['10'].tag ?? byId['10'].$meta?.tag, 'a');
    assert.deepEqual(byId['11'].vector, [0, 1, 0]);
    // And the other way: gRPC write, REST read.
    const ins = await ctx.client.insert({ collection_name: name, data: [{ id: 12, vector: [0, 0, 1], tag: 'c' }] });
    assert.equal(ins.status.error_code, 'Success');
    assert.deepEqual((await ok('entities/get', { collectionName: name, id: 12, outputFields: ['tag'] })).data, [{ id: 12, tag: 'c' }]);
  });

  it('keeps serving many concurrent REST clients next to gRPC', async () => {
    const results = await Promise.all(Array.from({ length: 32 }, () => call('collections/list', {})));
    assert.ok(results.every(r => r.code === 0));
    const v = await ctx.client.getVersion();
    assert.ok(v.version);
  });
});
