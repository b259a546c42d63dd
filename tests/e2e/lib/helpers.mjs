// Shared helpers for the e2e tests: clients, status assertions, raw RPCs.
import assert from 'node:assert/strict';
import { MilvusClient, DataType, promisify, formatCollectionSchema } from '@zilliz/milvus2-sdk-node';
import { QuiverServer } from './server.mjs';

export { DataType };

export const CLIENT_TIMEOUT_MS = 15_000;

let counter = 0;
/** A collection/db/alias name that is unique within the run and valid for Milvus. */
export function uniq(prefix = 'c') {
  counter += 1;
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

/** Creates a connected client (awaits Connect so connection failures surface here). */
export async function newClient(address, extra = {}) {
  const client = new MilvusClient({
    address,
    timeout: CLIENT_TIMEOUT_MS,
    logLevel: 'error',
    // grpc-js shares subchannels between clients by default; after a server restart on the
    // same port a shared subchannel may still be in connection backoff. Give each client its own.
    channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
    ...extra,
  });
  await client.connectPromise;
  return client;
}

/**
 * Standard per-file setup: starts a server in before(), closes clients and stops the
 * server in after(). Returns a context whose fields are filled in before().
 */
export function useServer({ before, after, extraArgs = [] }) {
  const ctx = { server: null, client: null, clients: [] };
  ctx.newClient = async (extra = {}) => {
    const c = await newClient(ctx.server.address, extra);
    ctx.clients.push(c);
    return c;
  };
  before(async () => {
    ctx.server = await QuiverServer.start({ extraArgs });
    ctx.client = await ctx.newClient();
  });
  after(async () => {
    await closeClients(ctx.clients);
    if (ctx.server) {
      await ctx.server.stop();
      ctx.server.cleanup();
    }
  });
  return ctx;
}

export async function closeClients(clients) {
  for (const c of clients.splice(0)) {
    try { await c.closeConnection(); } catch { /* ignore */ }
  }
}

function statusOf(res) {
  if (res && typeof res === 'object' && res.status && typeof res.status === 'object') return res.status;
  return res;
}

function describeStatus(st) {
  return JSON.stringify(st && { error_code: st.error_code, code: st.code, reason: st.reason });
}

/** Asserts a common.Status (or a response carrying `.status`) is a success. Returns the response. */
export function assertOk(res, what = 'request') {
  const st = statusOf(res);
  assert.ok(st && typeof st === 'object', `${what}: no status in response ${JSON.stringify(res)}`);
  assert.equal(st.error_code, 'Success', `${what}: expected Success, got ${describeStatus(st)}`);
  assert.equal(Number(st.code ?? 0), 0, `${what}: expected code 0, got ${describeStatus(st)}`);
  return res;
}

/**
 * Asserts a failed status. `code` (number) and `reason` (substring or RegExp) are optional
 * extra checks; `errorCode` checks the legacy error_code string.
 */
export function assertErr(res, { code, reason, errorCode } = {}, what = 'request') {
  const st = statusOf(res);
  assert.ok(st && typeof st === 'object', `${what}: no status in response ${JSON.stringify(res)}`);
  const failed = st.error_code !== 'Success' || Number(st.code ?? 0) !== 0;
  assert.ok(failed, `${what}: expected an error, got success ${describeStatus(st)}`);
  if (code !== undefined) {
    assert.equal(Number(st.code), code, `${what}: expected code ${code}, got ${describeStatus(st)}`);
  }
  if (errorCode !== undefined) {
    assert.equal(st.error_code, errorCode, `${what}: expected error_code ${errorCode}, got ${describeStatus(st)}`);
  }
  if (reason !== undefined) {
    const ok = reason instanceof RegExp ? reason.test(st.reason) : String(st.reason).includes(reason);
    assert.ok(ok, `${what}: expected reason to match ${reason}, got ${describeStatus(st)}`);
  }
  return res;
}

/** Calls a MilvusService RPC directly (no client-side validation). */
export function rawCall(client, method, request = {}, timeout = CLIENT_TIMEOUT_MS) {
  return promisify(client.channelPool, method, request, timeout);
}

/**
 * CreateCollection without the SDK's client-side schema checks, so that the server's
 * validation is what gets tested. `data` takes the same shape as client.createCollection.
 */
export function rawCreateCollection(client, data) {
  const schemaTypes = {
    collectionSchemaType: client.schemaProto.lookupType(client.protoInternalPath.collectionSchema),
    fieldSchemaType: client.schemaProto.lookupType(client.protoInternalPath.fieldSchema),
    functionSchemaType: client.schemaProto.lookupType(client.protoInternalPath.functionSchema),
    structArrayFieldSchemaType: client.schemaProto.lookupType(client.protoInternalPath.structArrayFieldSchema),
  };
  const payload = formatCollectionSchema(data, schemaTypes);
  if (data.schema_name !== undefined) payload.name = data.schema_name;
  const schemaBytes = schemaTypes.collectionSchemaType
    .encode(schemaTypes.collectionSchemaType.create(payload))
    .finish();
  const req = {
    collection_name: data.collection_name,
    schema: schemaBytes,
    consistency_level: data.consistency_level ?? 'Bounded',
    shards_num: data.shards_num ?? 0,
    num_partitions: data.num_partitions ?? 0,
    properties: [],
  };
  if (data.db_name) req.db_name = data.db_name;
  return rawCall(client, 'CreateCollection', req);
}

/** Minimal valid schema: Int64 pk `id` + FloatVector `vector`. */
export function basicFields(dim = 8, extra = []) {
  return [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true, autoID: false },
    { name: 'vector', data_type: DataType.FloatVector, dim },
    ...extra,
  ];
}

/** Creates a collection from a schema (no index, not loaded); asserts success. */
export async function createBasic(client, name, { dim = 8, extra = [], ...rest } = {}) {
  const res = await client.createCollection({ collection_name: name, fields: basicFields(dim, extra), ...rest });
  assertOk(res, `createCollection(${name})`);
  return res;
}

/** Creates the default AUTOINDEX/COSINE index on `vector`; asserts success. */
export async function createVectorIndex(client, name, extra = {}) {
  const res = await client.createIndex({
    collection_name: name,
    field_name: 'vector',
    extra_params: { index_type: 'AUTOINDEX', metric_type: 'COSINE' },
    ...extra,
  });
  assertOk(res, `createIndex(${name})`);
  return res;
}

export function fieldByName(desc, name) {
  return desc.schema.fields.find(f => f.name === name);
}

/** type_params / params KV list -> object. */
export function kv(list) {
  const out = {};
  for (const { key, value } of list || []) out[key] = value;
  return out;
}

/** Index description params flattened: a nested `params` JSON entry is merged in. */
export function indexParams(desc) {
  const out = {};
  for (const { key, value } of desc.params || []) {
    if (key === 'params') {
      try {
        Object.assign(out, JSON.parse(value));
      } catch {
        out.params = value;
      }
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Resolves with the promise's outcome, or rejects if it takes longer than `ms`. */
export function within(ms, promise, what = 'call') {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Settles a promise into {ok, value} / {ok:false, error} without throwing. */
export async function settle(promise) {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

export async function allocTimestamp(client) {
  const res = await rawCall(client, 'AllocTimestamp', {});
  assertOk(res, 'AllocTimestamp');
  return BigInt(res.timestamp);
}

/** Runs a node script; resolves {code, signal, stdout, stderr}. Killed after `timeoutMs`. */
export async function runNodeScript(args, env = {}, timeoutMs = 60_000) {
  const { spawn } = await import('node:child_process');
  return new Promise(resolve => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

// A seeded pseudo-random generator (mulberry32), so a workload replays from its seed:
// rand() in [0, 1), randInt(lo, hi) inclusive.
export function seededRandom(seed) {
  let state = seed >>> 0;
  const rand = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { rand, randInt: (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)) };
}
