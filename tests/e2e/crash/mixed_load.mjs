// Concurrent mixed load with continuous invariant checks (shared/reliability-plan.md §7), meant
// for sanitized server builds (`make asan`, `make tsan`) but runnable on any build.
//
// Workers on one loopback server for LOAD_SECONDS: inserters, upserters and deleters (each owns a
// pk range, so every key is a register with one writer and its acknowledged state is exact),
// Strong searchers, Strong queriers, and a maintenance task issuing flush and compaction; an
// HNSW index is built and saved in the background. Checked while the load runs:
//   - per-key register: a Strong query by pk, issued after the owner's last acknowledged write
//     and with no write of that key in flight, returns exactly that write (version and vector);
//   - I6: a Strong search never returns a pk whose delete was acknowledged before it started;
//   - I5: no query or search returns a pk twice;
//   - only expected errors (none are expected here: every failed call is counted as one).
// At the end: count(*) equals the acknowledged live rows, and top-10 equals brute force (FLAT
// collection). Prints ops/s and p50/p99 latency per op type, then "violations: N".
//
// Usage: node crash/mixed_load.mjs [seconds=30]   Env: QUIVER_BIN, LOAD_SEED, LOAD_WORKERS_SCALE,
// QUIVER_EXTRA_ARGS (space-separated), LOAD_NEGATIVE_CONTROL=1 (the journal records deletes that
// are never sent: the register and I6 checks must then report violations).
import fs from 'node:fs';
import path from 'node:path';
import { QuiverServer } from '../lib/server.mjs';
import { newClient, DataType, seededRandom } from '../lib/helpers.mjs';

const seconds = Number(process.argv[2] || process.env.LOAD_SECONDS || 30);
const seed = Number(process.env.LOAD_SEED || Date.now() % 1_000_000);
const scale = Number(process.env.LOAD_WORKERS_SCALE || 1);
const DIM = 16;
const SPAN = 1_000_000;
const COLL = 'load_hnsw', FLAT = 'load_flat';

const { rand, randInt } = seededRandom(seed);   // the workload replays from its seed
const sleep = ms => new Promise(r => setTimeout(r, ms));
const vecOf = (pk, ver) => Array.from({ length: DIM }, (_, i) => Math.fround(((pk * (i + 7) + ver * 13) % 997) / 31 + (i === 0 ? ver : 0)));
const isOk = res => { const s = res && res.status ? res.status : res; return !!s && s.error_code === 'Success' && Number(s.code ?? 0) === 0; };

const negativeControl = process.env.LOAD_NEGATIVE_CONTROL === '1';
const violations = [];
const errors = [];
const lat = {};   // op -> [ms]
// Acknowledged writes (ops and rows) and the reads whose answers were checked.
const acked = { insert: [0, 0], upsert: [0, 0], delete: [0, 0] };
const checked = { queries: 0, keys: 0, searches: 0, flat: 0 };
function record(op, ms) { (lat[op] = lat[op] || []).push(ms); }
async function timed(op, fn) {
  const t = performance.now();
  let res;
  try {
    res = await fn();
  } catch (err) {
    // A rejected call (deadline, lost connection) is a failed call, not a crash of the driver.
    res = { error_code: 'Exception', reason: String(err && err.message || err) };
  }
  record(op, performance.now() - t);
  if (!isOk(res)) errors.push(`${op}: ${JSON.stringify(res.status || res).slice(0, 300)}`);
  return res;
}

// Key registers: pk -> {ver, live, busy} for keys owned by one writer.
const owners = [];
function newOwner(kind, index) {
  const o = { kind, base: (owners.length + 1) * SPAN, next: 0, keys: new Map(), deletedAt: new Map() };
  o.next = o.base;
  owners.push(o);
  return o;
}

async function writer(c, o, stop) {
  while (!stop.done) {
    const live = [...o.keys].filter(([, k]) => k.live).map(([pk]) => pk);
    let kind = o.kind;
    if (kind !== 'insert' && live.length < 50) kind = 'insert';
    if (kind === 'insert' && live.length > 4000) kind = 'delete';
    if (kind === 'insert') {
      const pks = Array.from({ length: randInt(10, 100) }, () => o.next++);
      const data = pks.map(pk => ({ id: pk, ver: 1, v: vecOf(pk, 1) }));
      for (const pk of pks) o.keys.set(pk, { ver: 1, live: false, busy: true });
      const res = await timed('insert', () => c.insert({ collection_name: COLL, data }));
      if (isOk(res)) acked.insert[0]++, acked.insert[1] += pks.length;
      for (const pk of pks) Object.assign(o.keys.get(pk), { live: isOk(res), busy: false, ver: 1 });
    } else {
      const pks = [...new Set(Array.from({ length: randInt(1, 40) }, () => live[randInt(0, live.length - 1)]))];
      for (const pk of pks) o.keys.get(pk).busy = true;
      if (kind === 'delete' && negativeControl) {
        // Negative control: the journal records deletes that are never sent.
        const now = Date.now();
        for (const pk of pks) Object.assign(o.keys.get(pk), { live: false, busy: false }), o.deletedAt.set(pk, now);
        await sleep(5);
        continue;
      }
      if (kind === 'upsert') {
        const data = pks.map(pk => ({ id: pk, ver: o.keys.get(pk).ver + 1, v: vecOf(pk, o.keys.get(pk).ver + 1) }));
        const res = await timed('upsert', () => c.upsert({ collection_name: COLL, data }));
        if (isOk(res)) acked.upsert[0]++, acked.upsert[1] += pks.length;
        for (const pk of pks) { const k = o.keys.get(pk); if (isOk(res)) k.ver++; k.busy = false; }
      } else {
        const res = await timed('delete', () => c.delete({ collection_name: COLL, ids: pks }));
        if (isOk(res)) acked.delete[0]++, acked.delete[1] += pks.length;
        const now = Date.now();
        for (const pk of pks) { const k = o.keys.get(pk); if (isOk(res)) { k.live = false; o.deletedAt.set(pk, now); } k.busy = false; }
      }
    }
  }
}

async function querier(c, stop) {
  while (!stop.done) {
    const o = owners[randInt(0, owners.length - 1)];
    const settled = [...o.keys].filter(([, k]) => !k.busy);
    if (!settled.length) { await sleep(5); continue; }
    const sample = Array.from({ length: 20 }, () => settled[randInt(0, settled.length - 1)]);
    const want = new Map(sample.map(([pk, k]) => [pk, { ...k }]));
    const res = await timed('query', () => c.query({ collection_name: COLL, filter: `id in [${[...want.keys()].join(',')}]`, output_fields: ['id', 'ver', 'v'], consistency_level: 'Strong' }));
    if (!isOk(res)) continue;
    checked.queries++;
    const seen = new Set();
    for (const r of res.data) {
      const pk = Number(r.id);
      if (seen.has(pk)) violations.push(`I5: query returned pk ${pk} twice`);
      seen.add(pk);
    }
    for (const [pk, k] of want) {
      const now = o.keys.get(pk);
      if (now.busy || now.ver !== k.ver || now.live !== k.live) continue;   // written meanwhile
      checked.keys++;
      const r = res.data.find(x => Number(x.id) === pk);
      if (k.live && !r) violations.push(`register: pk ${pk} version ${k.ver} acknowledged, not found`);
      if (!k.live && r) violations.push(`register: pk ${pk} deleted (acknowledged), still returned`);
      if (k.live && r) {
        const v = vecOf(pk, k.ver);
        if (Number(r.ver) !== k.ver || r.v.some((x, i) => x !== v[i])) violations.push(`register: pk ${pk} returned version ${r.ver}, acknowledged ${k.ver}`);
      }
    }
  }
}

async function searcher(c, stop) {
  while (!stop.done) {
    const o = owners[randInt(0, owners.length - 1)];
    const dead = [...o.deletedAt.keys()];
    const t0 = Date.now();
    const pk = dead.length ? dead[randInt(0, dead.length - 1)] : o.base;
    const res = await timed('search', () => c.search({ collection_name: COLL, data: [vecOf(pk, 1)], limit: 10, output_fields: ['id'], consistency_level: 'Strong', params: { ef: 64 } }));
    if (!isOk(res)) continue;
    checked.searches++;
    const ids = res.results.map(h => Number(h.id));
    if (new Set(ids).size !== ids.length) violations.push('I5: search returned a pk twice');
    for (const id of ids) {
      const owner = owners.find(x => id >= x.base && id < x.base + SPAN);
      const at = owner && owner.deletedAt.get(id);
      if (at !== undefined && at < t0 && !owner.keys.get(id).live) violations.push(`I6: search returned pk ${id}, deleted (acknowledged) before it started`);
    }
  }
}

async function maintenance(c, stop) {
  let k = 0;
  while (!stop.done) {
    await sleep(randInt(300, 900));
    if (k++ % 3 === 2) await timed('compact', () => c.compact({ collection_name: COLL }));
    else await timed('flush', () => c.flushSync({ collection_names: [COLL] }));
  }
}

// A FLAT collection written once and searched concurrently: results must equal brute force.
async function flatChecker(c, stop, rows) {
  while (!stop.done) {
    const q = vecOf(randInt(0, 5000), 2);
    const res = await timed('search_flat', () => c.search({ collection_name: FLAT, data: [q], limit: 10, consistency_level: 'Strong' }));
    if (!isOk(res)) continue;
    checked.flat++;
    const want = rows.map(([pk, v]) => v.reduce((s, x, i) => s + (x - q[i]) ** 2, 0)).sort((a, b) => a - b).slice(0, 10);
    if (res.results.length !== 10 || res.results.some((h, i) => Math.abs(h.score - want[i]) > 1e-3 * Math.max(1, want[i]))) {
      violations.push('FLAT search differs from brute force');
    }
  }
}

const extraArgs = (process.env.QUIVER_EXTRA_ARGS || '').split(' ').filter(Boolean);
// Keep the whole server output (sanitizer reports may come early in a long run).
const server = new QuiverServer({ extraArgs: ['--flush-rows', '5000', ...extraArgs], maxLogChars: 256 * 1024 * 1024 });
let exitCode = 0;
try {
  await server.start();
  const admin = await newClient(server.address, { timeout: 120_000 });
  const check = (res, what) => { if (!isOk(res)) throw new Error(`${what}: ${JSON.stringify(res)}`); };
  check(await admin.createCollection({
    collection_name: COLL, consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'ver', data_type: DataType.Int64 },
      { name: 'v', data_type: DataType.FloatVector, dim: DIM },
    ],
  }), 'create');
  check(await admin.createIndex({ collection_name: COLL, field_name: 'v', index_type: 'HNSW', metric_type: 'L2', params: { M: 8, efConstruction: 64 } }), 'index');
  check(await admin.loadCollection({ collection_name: COLL }), 'load');
  check(await admin.createCollection({
    collection_name: FLAT,
    fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'vector', data_type: DataType.FloatVector, dim: DIM }],
  }), 'create flat');
  check(await admin.createIndex({ collection_name: FLAT, field_name: 'vector', index_type: 'FLAT', metric_type: 'L2' }), 'flat index');
  check(await admin.loadCollection({ collection_name: FLAT }), 'load flat');
  const flatRows = Array.from({ length: 3000 }, (_, i) => [i, vecOf(i, 3)]);
  check(await admin.insert({ collection_name: FLAT, data: flatRows.map(([id, vector]) => ({ id, vector })) }), 'insert flat');

  const stop = { done: false };
  const tasks = [];
  const clients = [admin];
  const client = async () => { const c = await newClient(server.address, { timeout: 120_000 }); clients.push(c); return c; };
  for (let i = 0; i < 2 * scale; i++) tasks.push(writer(await client(), newOwner('insert'), stop));
  for (let i = 0; i < 2 * scale; i++) tasks.push(writer(await client(), newOwner('upsert'), stop));
  for (let i = 0; i < 1 * scale; i++) tasks.push(writer(await client(), newOwner('delete'), stop));
  for (let i = 0; i < 2 * scale; i++) tasks.push(searcher(await client(), stop));
  for (let i = 0; i < 2 * scale; i++) tasks.push(querier(await client(), stop));
  tasks.push(maintenance(await client(), stop));
  tasks.push(flatChecker(await client(), stop, flatRows));
  const t0 = Date.now();
  // Stop early when the server dies (a sanitizer report ends the process): the rest would fail.
  while (Date.now() - t0 < seconds * 1000 && server.running) await sleep(200);
  stop.done = true;
  await Promise.all(tasks);
  const elapsed = (Date.now() - t0) / 1000;

  // Final checks: count(*) equals the acknowledged live rows.
  const live = owners.reduce((n, o) => n + [...o.keys.values()].filter(k => k.live).length, 0);
  const count = await timed('count', () => admin.query({ collection_name: COLL, output_fields: ['count(*)'], consistency_level: 'Strong' }));
  if (isOk(count) && Number(count.data[0]['count(*)']) !== live) violations.push(`I5: count(*) = ${count.data[0]['count(*)']}, acknowledged live ${live}`);
  for (const c of clients) { try { await c.closeConnection(); } catch { /* ignore */ } }
  if (!server.running) violations.push(`server died: ${JSON.stringify(server.exitInfo)}`);

  const pct = (xs, p) => xs.length ? xs[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(1) : '-';
  console.log(`mixed load: ${elapsed.toFixed(0)} s, seed ${seed}, ${owners.length} writers, ${live} live rows at the end`);
  for (const [op, xs] of Object.entries(lat).sort()) {
    xs.sort((a, b) => a - b);
    console.log(`  ${op.padEnd(12)} ${String(xs.length).padStart(7)} ops  ${(xs.length / elapsed).toFixed(1).padStart(8)} ops/s  p50 ${pct(xs, 0.5)} ms  p99 ${pct(xs, 0.99)} ms`);
  }
  const ack = k => `${acked[k][0]} ${k}s (${acked[k][1]} rows)`;
  console.log(`acknowledged: ${ack('insert')}, ${ack('upsert')}, ${ack('delete')}`);
  console.log(`checked: ${checked.queries} Strong queries (${checked.keys} settled keys compared), ` +
    `${checked.searches} Strong searches, ${checked.flat} FLAT searches against brute force`);
  console.log(`errors: ${errors.length}${errors.length ? ` (first: ${errors[0]})` : ''}`);
  for (const v of [...new Set(violations)].slice(0, 20)) console.log(`  VIOLATION: ${v}`);
  console.log(`violations: ${violations.length}`);
  if (violations.length || errors.length) exitCode = 1;
} catch (err) {
  console.log(`ERROR ${err && err.stack || err}`);
  exitCode = 1;
} finally {
  const stopped = await server.stop({ timeoutMs: 60_000 });
  if (stopped.timedOut) {
    // Killed: no leak check ran and the shutdown hung.
    console.log('server did not stop within 60 s of SIGTERM (killed)');
    exitCode = 1;
  }
  const log = server.logs();
  const reports = (log.match(/ERROR: (AddressSanitizer|ThreadSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer/g) || []).length;
  console.log(`sanitizer reports in the server output: ${reports}`);
  if (reports) {
    console.log(log.split('\n').filter(l => /Sanitizer|runtime error|^\s+#\d+ /.test(l)).slice(0, 200).join('\n'));
    exitCode = 1;
  }
  if (exitCode === 0) server.cleanup();
  else {
    fs.writeFileSync(path.join(server.dataDir, 'server.log'), log);
    console.log(`data dir kept: ${server.dataDir} (server output in server.log)`);
  }
}
process.exit(exitCode);
