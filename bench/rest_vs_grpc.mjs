// REST v2 vs gRPC on one running `quiver serve`: a 10k x 768 float insert and nq=1 / k=10
// searches, each through both protocols in the same run (gRPC with the official Node SDK,
// REST with fetch and JSON bodies). Prints seconds, rows/s, QPS and the REST/gRPC ratios.
// Usage: node bench/rest_vs_grpc.mjs [path/to/quiver]   (uses tests/e2e/node_modules)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// `--out FILE`: JSON lines of the figures (make bench writes build/bench-results/).
const outAt = process.argv.indexOf('--out');
const outFile = outAt > 0 ? process.argv.splice(outAt, 2)[1] : '';
const jsonLines = [];
const here = path.dirname(fileURLToPath(import.meta.url));
const e2e = path.join(here, '..', 'tests', 'e2e');
const require = createRequire(path.join(e2e, 'package.json'));
const { MilvusClient, DataType } = require('@zilliz/milvus2-sdk-node');
if (process.argv[2]) process.env.QUIVER_BIN = path.resolve(process.argv[2]);
const { QuiverServer } = await import(path.join(e2e, 'lib', 'server.mjs'));

const DIM = 768, ROWS = 10_000, BATCH = 1_000, SEARCHES = 300, ROUNDS = 3;
let seed = 12345;
const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const rows = Array.from({ length: ROWS }, (_, i) => ({ id: i, v: Array.from({ length: DIM }, rnd), n: i % 100 }));
const queries = Array.from({ length: SEARCHES }, () => Array.from({ length: DIM }, rnd));

const server = await QuiverServer.start();
const client = new MilvusClient({ address: server.address, timeout: 60_000 });
const base = `http://${server.address}/v2/vectordb`;
const post = async (p, body) => {
  const r = await (await fetch(`${base}/${p}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).json();
  if (r.code !== 0) throw new Error(`${p}: ${JSON.stringify(r).slice(0, 300)}`);
  return r;
};
async function makeCollection(name) {
  await client.createCollection({ collection_name: name, fields: [
    { name: 'id', data_type: DataType.Int64, is_primary_key: true },
    { name: 'v', data_type: DataType.FloatVector, dim: DIM },
    { name: 'n', data_type: DataType.Int64 },
  ] });
  await client.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
  await client.loadCollection({ collection_name: name });
}
const time = async (fn) => { const t0 = performance.now(); await fn(); return (performance.now() - t0) / 1000; };

const results = { grpcInsert: [], restInsert: [], grpcSearch: [], restSearch: [] };
for (let round = 0; round < ROUNDS; round++) {
  const g = `g${round}`, r = `r${round}`;
  await makeCollection(g);
  await makeCollection(r);
  results.grpcInsert.push(await time(async () => {
    for (let i = 0; i < ROWS; i += BATCH) {
      const res = await client.insert({ collection_name: g, data: rows.slice(i, i + BATCH) });
      if (res.status.error_code !== 'Success') throw new Error(res.status.reason);
    }
  }));
  results.restInsert.push(await time(async () => {
    for (let i = 0; i < ROWS; i += BATCH) await post('entities/insert', { collectionName: r, data: rows.slice(i, i + BATCH) });
  }));
  results.grpcSearch.push(await time(async () => {
    for (const q of queries) await client.search({ collection_name: g, data: [q], limit: 10, output_fields: ['n'] });
  }));
  results.restSearch.push(await time(async () => {
    for (const q of queries) await post('entities/search', { collectionName: r, data: [q], limit: 10, outputFields: ['n'] });
  }));
  await client.dropCollection({ collection_name: g });
  await client.dropCollection({ collection_name: r });
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const gi = med(results.grpcInsert), ri = med(results.restInsert), gs = med(results.grpcSearch), rs = med(results.restSearch);
console.log(`REST v2 vs gRPC, ${ROWS} x ${DIM} float rows in batches of ${BATCH}; ${SEARCHES} searches nq=1 k=10 (median of ${ROUNDS})`);
console.log(`insert  gRPC ${gi.toFixed(2)} s (${Math.round(ROWS / gi)} rows/s)   REST ${ri.toFixed(2)} s (${Math.round(ROWS / ri)} rows/s)   REST/gRPC time ${(ri / gi).toFixed(2)}x`);
console.log(`search  gRPC ${(SEARCHES / gs).toFixed(0)} QPS   REST ${(SEARCHES / rs).toFixed(0)} QPS   REST/gRPC time ${(rs / gs).toFixed(2)}x`);
jsonLines.push({ bench: 'rest_vs_grpc', op: 'insert', rows: ROWS, dim: DIM, grpc_s: gi, rest_s: ri, ratio: ri / gi });
jsonLines.push({ bench: 'rest_vs_grpc', op: 'search', searches: SEARCHES, grpc_qps: SEARCHES / gs, rest_qps: SEARCHES / rs, ratio: rs / gs });
await client.closeConnection();
await server.stop();
if (outFile) fs.writeFileSync(outFile, jsonLines.map((o) => JSON.stringify(o)).join('\n') + '\n');
