// Filter evaluation on N rows (default 1,000,000): count(*) queries with typical Milvus filters
// through the Node SDK against a fresh `quiver serve`, as rows/s of the server's filter pass.
// The peer, in the same run, is the same predicate as a plain JavaScript loop over the rows
// held in this process (no database at all); the ratio is what the figure means.
// Usage: node bench/filter_bench.mjs [path/to/quiver] [rows]   (uses tests/e2e/node_modules)
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
const N = Number(process.argv[3] || 1_000_000);

const server = await QuiverServer.start();
const c = new MilvusClient({ address: server.address, timeout: 120_000 });
const name = 'fb';
await c.createCollection({ collection_name: name, enable_dynamic_field: true, fields: [
  { name: 'id', data_type: DataType.Int64, is_primary_key: true },
  { name: 'v', data_type: DataType.FloatVector, dim: 2 },
  { name: 'n', data_type: DataType.Int64 },
  { name: 's', data_type: DataType.VarChar, max_length: 32 },
  { name: 'tag', data_type: DataType.JSON },
]});
await c.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
await c.loadCollection({ collection_name: name });
const rows = [];
for (let i = 0; i < N; i++) rows.push({ id: i, v: [i % 7, 1], n: i % 1000, s: 'name' + (i % 5000), k: i % 10, tag: { a: i % 3 } });
for (let i = 0; i < N; i += 50_000) {
  const r = await c.insert({ collection_name: name, data: rows.slice(i, i + 50_000) });
  if (r.status.error_code !== 'Success') throw new Error(r.status.reason);
}
const ids = new Set(Array.from({ length: 10_000 }, (_, i) => i * 3));
const cases = [
  ['pk in 10k list', `id in [${[...ids].join(',')}]`, r => ids.has(r.id)],
  ['int range', 'n > 500 and n < 510', r => r.n > 500 && r.n < 510],
  ['varchar like prefix', 's like "name12%"', r => r.s.startsWith('name12')],
  ['dynamic key + int', 'k == 3 and n < 20', r => r.k === 3 && r.n < 20],
  ['JSON path + int', 'tag["a"] == 1 and n < 20', r => r.tag.a === 1 && r.n < 20],
  ['JSON path alone', 'tag["a"] == 1', r => r.tag.a === 1],
  ['arithmetic', 'n % 7 == 0', r => r.n % 7 === 0],
];
console.log(`filter_bench: ${N} rows, count(*) with the filter (median of 5) vs a plain JS loop over the same rows`);
console.log('filter                 rows   quiver ms   Mrows/s   JS loop ms   JS ms / quiver ms');
for (const [label, expr, fn] of cases) {
  const t = [];
  let cnt;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    const res = await c.query({ collection_name: name, filter: expr, output_fields: ['count(*)'] });
    t.push(performance.now() - t0);
    cnt = Number(res.data[0]['count(*)']);
  }
  const j = [];
  let jc = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    jc = 0;
    for (const row of rows) if (fn(row)) jc++;
    j.push(performance.now() - t0);
  }
  if (jc !== cnt) throw new Error(`${label}: server counted ${cnt}, JS ${jc}`);
  const med = a => [...a].sort((x, y) => x - y)[2];
  const q = med(t), js = med(j);
  console.log(`${label.padEnd(20)} ${String(cnt).padStart(7)} ${q.toFixed(1).padStart(10)} ${(N / q / 1000).toFixed(1).padStart(9)} ${js.toFixed(1).padStart(11)} ${(js / q).toFixed(2).padStart(10)}x`);
  jsonLines.push({ bench: 'filter_bench', rows: N, filter: expr, label, matched: cnt, quiver_ms: q, js_loop_ms: js, ratio: js / q });
}
await c.closeConnection();
await server.stop();
if (outFile) fs.writeFileSync(outFile, jsonLines.map((o) => JSON.stringify(o)).join('\n') + '\n');
