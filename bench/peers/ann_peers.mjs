// What a user would pick instead of Quiver, embedded in Node: usearch (HNSW, N-API addon) and
// LanceDB (@lancedb/lancedb: exact scan, IVF_FLAT, IVF_HNSW_SQ), on the same fashion-mnist data
// and queries as bench/ann_bench.cc and bench/load_bench.cc (Debian's dataset-fashion-mnist read
// directly: 60,000 base images, the first 1,000 test images as queries, 784-d, L2), nq = 1,
// k = 10, one request at a time. Recall@10 is against the exact top-10 that ann_bench caches in
// ~/.cache/quiver-bench/ (computed here with usearch's exact search when the cache is missing,
// and then not written back). usearch builds and searches on one thread (same M = 16,
// efConstruction = 200 as Quiver's HNSW); LanceDB chooses its own threads (2 cores here).
// Prints a table and writes JSON lines in ann_bench's shape (engine, param, value, recall, qps).
//
// Usage: node ann_peers.mjs [--quick] [--queries N] [--only usearch|lancedb] [--out FILE]
// --quick: 10,000 base rows, 200 queries.
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";

const DIR = "/usr/share/datasets/fashion-mnist";
const DIM = 784;
const K = 10;

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const value = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const quick = flag("--quick");
let nq = Number(value("--queries", 1000));
if (quick) nq = Math.min(nq, 200);
const only = value("--only", "");
const out = value("--out", "");

// idx3-ubyte (gzip): big-endian magic 2051, count, rows, cols, then one byte per pixel.
function loadImages(file, limit) {
  if (!fs.existsSync(file)) {
    console.error(`cannot open ${file} (apt-get install dataset-fashion-mnist)`);
    process.exit(2);
  }
  const bytes = zlib.gunzipSync(fs.readFileSync(file));
  const n = Math.min(bytes.readUInt32BE(4), limit);
  const v = new Float32Array(n * DIM);
  for (let i = 0; i < n * DIM; i++) v[i] = bytes[16 + i];
  return v;
}

const base = loadImages(`${DIR}/train-images-idx3-ubyte.gz`, quick ? 10000 : 60000);
const queries = loadImages(`${DIR}/t10k-images-idx3-ubyte.gz`, nq);
const nb = base.length / DIM;
nq = queries.length / DIM;
const query = (q) => queries.subarray(q * DIM, (q + 1) * DIM);

async function groundTruth() {
  const file = path.join(os.homedir(), ".cache", "quiver-bench", `fashion-mnist-gt-${nb}-${nq}.bin`);
  if (fs.existsSync(file)) {
    const b = fs.readFileSync(file);
    if (b.length === nq * K * 4) return { gt: new Int32Array(b.buffer, b.byteOffset, nq * K), source: file };
  }
  const { exactSearch, MetricKind } = await import("usearch");
  const m = exactSearch(base, queries, DIM, K, MetricKind.L2sq, 0);
  const gt = new Int32Array(nq * K);
  for (let q = 0; q < nq; q++) {
    const r = m.get(q);
    for (let j = 0; j < K; j++) gt[q * K + j] = Number(r.keys[j]);
  }
  return { gt, source: "usearch exact search (no ann_bench cache)" };
}

const { gt, source } = await groundTruth();

// Runs `search(q) -> ids` over every query, one at a time, after a short warm-up.
async function measure(engine, param, valueOf, search, extra = {}, count = nq) {
  for (let q = 0; q < Math.min(count, 5); q++) await search(q);
  let hits = 0;
  const t0 = process.hrtime.bigint();
  for (let q = 0; q < count; q++) {
    const ids = await search(q);
    for (let j = 0; j < K; j++) if (ids.includes(gt[q * K + j])) hits++;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  return { engine, param, value: valueOf, recall: hits / (count * K), qps: count / s, base: nb, queries: count, ...extra };
}

const points = [];
const notes = [];
const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "quiver-peers-"));

try {
  // --- usearch: HNSW with hnswlib's parameters, f32, one thread.
  if (!only || only === "usearch") {
    let usearch;
    try {
      usearch = await import("usearch");
    } catch (e) {
      notes.push(`usearch: not available (${e.message.split("\n")[0]})`);
    }
    if (usearch) {
      const { Index, MetricKind, ScalarKind } = usearch;
      const config = (ef) => ({
        dimensions: DIM,
        metric: MetricKind.L2sq,
        quantization: ScalarKind.F32,
        connectivity: 16,
        expansion_add: 200,
        expansion_search: ef,
      });
      const keys = new BigUint64Array(nb);
      for (let i = 0; i < nb; i++) keys[i] = BigInt(i);
      const t0 = process.hrtime.bigint();
      const built = new Index(config(40));
      built.add(keys, base, 1);
      const build_s = seconds(t0);
      const file = path.join(tmp, "usearch.index");
      built.save(file);
      const mem_mb = fs.statSync(file).size / 1e6;
      notes.push(`usearch build: ${build_s.toFixed(1)} s on 1 thread (M 16, efConstruction 200), index file ${mem_mb.toFixed(0)} MB`);
      // expansion_search is fixed when an index is constructed: each ef loads the saved graph.
      for (const ef of quick ? [20, 80] : [10, 20, 40, 80, 200]) {
        const index = new Index(config(ef));
        index.load(file);
        points.push(
          await measure("usearch-hnsw", "ef", ef, (q) => Array.from(index.search(query(q), K, 1).keys, Number), { build_s }),
        );
      }
    }
  }

  // --- LanceDB: a local table; exact scan, IVF_FLAT, IVF_HNSW_SQ.
  if (!only || only === "lancedb") {
    let lancedb, arrow;
    try {
      lancedb = await import("@lancedb/lancedb");
      // LanceDB's CommonJS build checks `instanceof` against the CommonJS apache-arrow; an ESM
      // import would be a second copy of the module whose tables it does not recognise.
      arrow = createRequire(import.meta.url)("apache-arrow");
    } catch (e) {
      notes.push(`lancedb: not available (${e.message.split("\n")[0]})`);
    }
    if (lancedb) {
      const db = await lancedb.connect(path.join(tmp, "lance"));
      const vectorType = new arrow.FixedSizeList(DIM, new arrow.Field("item", new arrow.Float32(), true));
      const schema = new arrow.Schema([
        new arrow.Field("id", new arrow.Int64(), false),
        new arrow.Field("bucket", new arrow.Int64(), false),
        new arrow.Field("vector", vectorType, false),
      ]);
      const ids = new BigInt64Array(nb);
      const buckets = new BigInt64Array(nb);
      for (let i = 0; i < nb; i++) {
        ids[i] = BigInt(i);
        buckets[i] = BigInt(i % 10);
      }
      const child = arrow.makeData({ type: new arrow.Float32(), length: nb * DIM, data: base });
      const vectors = arrow.makeData({ type: vectorType, length: nb, nullCount: 0, child });
      const batch = new arrow.RecordBatch(
        schema,
        arrow.makeData({
          type: new arrow.Struct(schema.fields),
          length: nb,
          nullCount: 0,
          children: [
            arrow.makeData({ type: new arrow.Int64(), length: nb, data: ids }),
            arrow.makeData({ type: new arrow.Int64(), length: nb, data: buckets }),
            vectors,
          ],
        }),
      );
      const t0 = process.hrtime.bigint();
      const table = await db.createTable("fmnist", new arrow.Table([batch]), { mode: "overwrite" });
      const ingest_s = seconds(t0);
      notes.push(`lancedb ingest: ${ingest_s.toFixed(1)} s (${nb} rows, one Arrow batch)`);
      const run = (build) => async (q) => {
        const rows = await build(table.vectorSearch(query(q)).distanceType("l2")).select(["id", "_distance"]).limit(K).toArray();
        return rows.map((r) => Number(r.id));
      };
      // LanceDB's exact scan reads and decodes the table per query (~1 s here): 20 queries.
      points.push(await measure("lancedb-flat", "-", 0, run((v) => v.bypassVectorIndex()), { build_s: 0 }, Math.min(nq, 20)));

      const nlist = quick ? 64 : 256;
      let t1 = process.hrtime.bigint();
      await table.createIndex("vector", {
        config: lancedb.Index.ivfFlat({ numPartitions: nlist, distanceType: "l2" }),
        replace: true,
      });
      let build_s = seconds(t1);
      notes.push(`lancedb IVF_FLAT build: ${build_s.toFixed(1)} s (nlist ${nlist}, LanceDB's own threads)`);
      for (const nprobe of quick ? [4, 16] : [1, 4, 8, 16, 64]) {
        points.push(await measure("lancedb-ivf-flat", "nprobe", nprobe, run((v) => v.nprobes(nprobe)), { build_s }));
      }

      t1 = process.hrtime.bigint();
      await table.createIndex("vector", {
        config: lancedb.Index.hnswSq({ numPartitions: 1, m: 16, efConstruction: 200, distanceType: "l2" }),
        replace: true,
      });
      build_s = seconds(t1);
      notes.push(`lancedb IVF_HNSW_SQ build: ${build_s.toFixed(1)} s (1 partition, M 16, efConstruction 200, LanceDB's own threads)`);
      for (const ef of quick ? [20, 80] : [10, 20, 40, 80, 120, 200]) {
        points.push(await measure("lancedb-hnsw-sq", "ef", ef, run((v) => v.nprobes(1).ef(ef)), { build_s }));
      }
      // The same graph with its SQ distances re-ranked exactly over 4x the candidates.
      for (const ef of quick ? [80] : [40, 80]) {
        points.push(
          await measure("lancedb-hnsw-sq-refine4", "ef", ef, run((v) => v.nprobes(1).ef(ef).refineFactor(4)), { build_s }),
        );
      }
    }
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

console.log(`ann_peers: fashion-mnist ${nb} base x ${DIM}-d, ${nq} queries, L2, k=${K}, nq=1, one request at a time`);
console.log(`ground truth: ${source}`);
for (const n of notes) console.log(n);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);
console.log(`${pad("engine", 24)} ${pad("param", 7)} ${lpad("value", 6)} ${lpad("recall@10", 9)} ${lpad("QPS", 10)} ${lpad("build s", 8)}`);
const lines = [];
for (const p of points) {
  console.log(
    `${pad(p.engine, 24)} ${pad(p.param, 7)} ${lpad(p.value, 6)} ${lpad(p.recall.toFixed(4), 9)} ${lpad(p.qps.toFixed(1), 10)} ${lpad(p.build_s.toFixed(1), 8)}`,
  );
  lines.push(JSON.stringify({ bench: "ann_peers", ...p }));
}
if (out) fs.writeFileSync(out, lines.join("\n") + "\n");
