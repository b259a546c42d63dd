// Connect, version, health, and how unserved RPCs behave.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useServer, assertOk, within, settle, rawCall } from './lib/helpers.mjs';

describe('connect / version / health', () => {
  const ctx = useServer({ before, after });

  it('Connect succeeds and returns a non-zero identifier', async () => {
    const client = ctx.client;
    await client.connectPromise;
    // The SDK marks the connection UNIMPLEMENTED (2) when Connect returns identifier 0.
    assert.equal(client.connectStatus, 1, 'connectStatus should be CONNECTED (non-zero identifier)');
    assert.ok(client.metadata.get('identifier'), 'identifier metadata should be set after Connect');
    assert.equal(typeof client.serverInfo, 'object');
  });

  it('Connect RPC reports success and server_info', async () => {
    const res = await rawCall(ctx.client, 'Connect', {
      client_info: { sdk_type: 'nodejs', sdk_version: '2.6.17', local_time: '2025-01-01 00:00:00.000', user: '' },
    });
    assertOk(res, 'Connect');
    assert.notEqual(String(res.identifier), '0');
    assert.ok(res.server_info, 'server_info present');
  });

  it('successful responses carry an explicit status message (SDK dereferences res.status)', async () => {
    // Milvus always sets `status` (merr.Success()); the Node SDK reads res.status.error_code
    // in hasCollection/describeCollection/loadCollection etc. and throws if it is null.
    const c = ctx.client;
    const name = 'status_probe';
    assertOk(await c.createCollection({ collection_name: name, dimension: 4 }), 'quick create');
    assertOk(await c.createAlias({ collection_name: name, alias: 'status_probe_alias' }));
    const calls = [
      ['Connect', { client_info: { sdk_type: 'nodejs', sdk_version: '2.6.17' } }],
      ['GetVersion', {}],
      ['CheckHealth', {}],
      ['AllocTimestamp', {}],
      ['ListDatabases', {}],
      ['DescribeDatabase', { db_name: 'default' }],
      ['ShowCollections', {}],
      ['HasCollection', { collection_name: name }],
      ['DescribeCollection', { collection_name: name }],
      ['GetCollectionStatistics', { collection_name: name }],
      ['ShowPartitions', { collection_name: name }],
      ['HasPartition', { collection_name: name, partition_name: '_default' }],
      ['GetPartitionStatistics', { collection_name: name, partition_name: '_default' }],
      ['DescribeIndex', { collection_name: name }],
      ['GetLoadState', { collection_name: name }],
      ['GetLoadingProgress', { collection_name: name }],
      ['DescribeAlias', { alias: 'status_probe_alias' }],
      ['ListAliases', { collection_name: name }],
    ];
    const missing = [];
    for (const [method, req] of calls) {
      const res = await rawCall(c, method, req);
      if (!(res.status && typeof res.status === 'object' && res.status.error_code === 'Success')) {
        missing.push(`${method}: status=${JSON.stringify(res.status)}`);
      }
    }
    assert.deepEqual(missing, [], 'responses without a Success status');
  });

  it('GetVersion returns a version string', async () => {
    const res = await ctx.client.getVersion();
    assertOk(res, 'GetVersion');
    assert.equal(typeof res.version, 'string');
    assert.match(res.version, /\d+\.\d+/);
  });

  it('CheckHealth reports healthy', async () => {
    const res = await ctx.client.checkHealth();
    assertOk(res, 'CheckHealth');
    assert.equal(res.isHealthy, true);
  });

  it('a second client connects independently', async () => {
    const c2 = await ctx.newClient();
    assert.equal(c2.connectStatus, 1);
    assertOk(await c2.getVersion(), 'GetVersion (client 2)');
  });

  it('GetMetrics settles quickly (served or refused, never hangs)', async () => {
    const out = await within(5000, settle(ctx.client.getMetric({ request: { metric_type: 'system_info' } })), 'GetMetrics');
    if (out.ok && out.value?.status?.error_code === 'Success') {
      // Served: Milvus answers a JSON document.
      assert.equal(typeof out.value.response, 'object');
    }
  });

  it('ListResourceGroups settles quickly and, if it claims success, lists the default group', async () => {
    const out = await within(5000, settle(ctx.client.listResourceGroups()), 'ListResourceGroups');
    if (out.ok && out.value?.status?.error_code === 'Success') {
      assert.ok(out.value.resource_groups.includes('__default_resource_group'));
    }
  });

  it('CreateResourceGroup settles quickly (served or refused)', async () => {
    await within(5000, settle(ctx.client.createResourceGroup({ resource_group: 'rg_e2e' })), 'CreateResourceGroup');
  });

  it('the connection stays usable after unserved RPCs', async () => {
    assertOk(await ctx.client.getVersion(), 'GetVersion after unserved RPCs');
    assertOk(await ctx.client.checkHealth(), 'CheckHealth after unserved RPCs');
  });

});
