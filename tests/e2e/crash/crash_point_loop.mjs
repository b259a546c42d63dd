// Crash-point loop (shared/reliability-plan.md §1, docs/reliability.md "Crash points"): for each
// named crash point (`quiver crash-points`) the server is started with `--crash-at <point>:<n>`
// under a mixed load — inserts, upserts and deletes by three writers on disjoint pk ranges,
// Strong searches, flushes, compactions, a saved IVF_FLAT index, collections created, filled and
// dropped — until it exits with code 9 at that point. It is then restarted normally and the
// client journal is checked:
//   I1 every acknowledged insert/upsert is present with the values written (by pk range query),
//   I2 no acknowledged delete is back, I3 no row or version that was never sent,
//   I4 the op each writer had in flight is all-or-nothing,
//   I5 count(*) equals the acknowledged live rows and no pk is returned twice,
//   I6 Strong searches (during the load and after the restart) never return a pk whose delete
//      was acknowledged before the search, and after the restart top-10 equals brute force,
//   I7 recovery takes under RECOVERY_BOUND_MS, and no file of a dropped collection is left.
// Points named recovery.* are armed for the restart that follows a kill -9 instead.
//
// Usage: node crash/crash_point_loop.mjs [rounds=1]: each point `rounds` times, n drawn from 1..3.
// Env: CRASH_POINTS=a,b (a subset), CRASH_SEED, QUIVER_BIN, CRASH_WAL_FILE_BYTES (default 32768),
// CRASH_DROPS=0 (no drop task), CRASH_WARMUP_MS (delay of the first explicit flush),
// CRASH_UNSAFE=<behaviour> (negative control: the loop must then report violations). Ends with "N passed, N failed" and a summary;
// exits non-zero on any violation or on a point never reached. On failure the data dir is kept.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { QuiverServer, QUIVER_BIN } from '../lib/server.mjs';
import { newClient, DataType, seededRandom } from '../lib/helpers.mjs';

const rounds = Number(process.argv[2] || process.env.CRASH_ROUNDS || 1);
const seed = Number(process.env.CRASH_SEED || Date.now() % 1_000_000);
const unsafe = process.env.CRASH_UNSAFE || '';
const withDrops = process.env.CRASH_DROPS !== '0';            // collections created and dropped
const warmupMs = Number(process.env.CRASH_WARMUP_MS || 0);     // before the first explicit flush
const DIM = 8;
const WRITERS = 3;
const PK_SPAN = 1_000_000;
const MAX_LIVE_PER_WRITER = 2500;
const REACH_TIMEOUT_MS = 30_000;
const RECOVERY_BOUND_MS = 10_000;
const MAIN = 'cp_main';
const CRASH_EXIT = 9;

const { rand, randInt } = seededRandom(seed);   // the workload replays from its seed
const sleep = ms => new Promise(r => setTimeout(r, ms));
const vecOf = (pk, ver) => Array.from({ length: DIM }, (_, i) =>
  Math.fround(i === 0 ? (pk % 1000) / 10 : i === 1 ? ver : ((pk * (i + 3) + ver * 7) % 101) / 9));
const isOk = res => {
  const s = res && res.status ? res.status : res;
  return !!s && s.error_code === 'Success' && Number(s.code ?? 0) === 0;
};
const check = (res, what) => { if (!isOk(res)) throw new Error(`${what}: ${JSON.stringify(res.status || res)}`); return res; };

const allPoints = spawnSync(QUIVER_BIN, ['crash-points'], { encoding: 'utf8' }).stdout
  .split('\n').filter(l => l && !l.startsWith('unsafe:'));
if (!allPoints.length) { console.log(`cannot list crash points with ${QUIVER_BIN}`); process.exit(2); }
const points = process.env.CRASH_POINTS ? process.env.CRASH_POINTS.split(',') : allPoints;
for (const p of points) if (!allPoints.includes(p)) { console.log(`unknown crash point ${p}`); process.exit(2); }

// ---- the journal ----------------------------------------------------------------------------
// Each writer owns pks [base, base + PK_SPAN) and runs one op at a time, so the only op of a pk
// that can be indeterminate is the last one its writer sent.
const writers = Array.from({ length: WRITERS }, (_, w) => ({
  base: (w + 1) * PK_SPAN,
  next: (w + 1) * PK_SPAN,
  live: new Map(),        // pk -> acknowledged version
  deleted: new Set(),     // pks whose acknowledged last write is a delete
  deletedAt: new Map(),   // pk -> time its delete was acknowledged (for I6 during the load)
  written: new Map(),     // pk -> Set of versions ever sent
  pending: null,          // {kind: 'insert'|'upsert'|'delete', rows: Map pk -> ver}
}));
const drops = [];          // {name, id, state: 'created'|'ack'|'unknown'}
const totals = { insert: 0, upsert: 0, delete: 0, searches: 0, searchChecks: 0, flushes: 0, compactions: 0, drops: 0, indeterminate: 0, rejected: 0 };
const recoveries = [];
const hits = new Map();    // point -> times reached

function applyOp(w, op) {
  for (const [pk, ver] of op.rows) {
    if (op.kind === 'delete') { w.live.delete(pk); w.deleted.add(pk); w.deletedAt.set(pk, Date.now()); }
    else { w.live.set(pk, ver); w.deleted.delete(pk); w.deletedAt.delete(pk); }
  }
}

async function writerLoop(c, w, stop) {
  while (!stop.done && !w.pending) {
    const r = rand();
    const liveKeys = [...w.live.keys()];
    let op;
    if (r < 0.4 && w.live.size < MAX_LIVE_PER_WRITER || liveKeys.length < 30) {
      op = { kind: 'insert', rows: new Map(Array.from({ length: randInt(20, 50) }, () => [w.next++, 1])) };
    } else {
      const rows = new Map();
      for (let i = randInt(1, 30); i > 0; i--) {
        const pk = liveKeys[randInt(0, liveKeys.length - 1)];
        rows.set(pk, w.live.get(pk) + 1);
      }
      op = { kind: r < 0.7 ? 'upsert' : 'delete', rows };
    }
    for (const [pk, ver] of op.rows) {
      if (!w.written.has(pk)) w.written.set(pk, new Set());
      w.written.get(pk).add(ver);
    }
    const data = [...op.rows].map(([pk, ver]) => ({ id: pk, b: ver, v: vecOf(pk, ver) }));
    let res;
    try {
      if (op.kind === 'insert') res = await c.insert({ collection_name: MAIN, data });
      else if (op.kind === 'upsert') res = await c.upsert({ collection_name: MAIN, data });
      else res = await c.delete({ collection_name: MAIN, ids: [...op.rows.keys()] });
    } catch {
      w.pending = op;   // indeterminate: the server died (or the call timed out)
      totals.indeterminate++;
      return;
    }
    if (isOk(res)) { applyOp(w, op); totals[op.kind] += op.rows.size; }
    else totals.rejected++;
  }
}

// I6 during the load: a pk whose delete was acknowledged before the search must not come back.
const liveViolations = [];
async function searcherLoop(c, stop) {
  while (!stop.done) {
    const w = writers[randInt(0, WRITERS - 1)];
    const candidates = [...w.deletedAt.keys()];
    if (!candidates.length) { await sleep(20); continue; }
    const pk = candidates[randInt(0, candidates.length - 1)];
    const t0 = Date.now();
    if (w.deletedAt.get(pk) > t0) continue;
    const lastVer = Math.max(...w.written.get(pk));
    try {
      const res = await c.search({ collection_name: MAIN, data: [vecOf(pk, lastVer)], limit: 3, output_fields: ['id'], consistency_level: 'Strong' });
      if (!isOk(res)) continue;
      totals.searches++;
      // Still deleted now (not re-inserted meanwhile: deleted pks are never written again).
      if (res.results.some(h => Number(h.id) === pk) && w.deleted.has(pk)) {
        liveViolations.push(`I6: Strong search returned pk ${pk}, deleted (acknowledged) before the search`);
      }
    } catch { return; }
  }
}

async function maintenanceLoop(c, stop) {
  let k = 0;
  await sleep(warmupMs);
  while (!stop.done) {
    await sleep(randInt(150, 400));
    try {
      if (k++ % 3 === 2) { if (isOk(await c.compact({ collection_name: MAIN }))) totals.compactions++; }
      else if (isOk(await c.flushSync({ collection_names: [MAIN] }))) totals.flushes++;
    } catch { return; }
  }
}

async function dropLoop(c, stop) {
  while (!stop.done) {
    const d = { name: `cp_drop_${drops.length}_${seed}`, id: null, state: 'creating' };
    drops.push(d);
    try {
      check(await c.createCollection({ collection_name: d.name, dimension: DIM }), 'create drop collection');
      const desc = check(await c.describeCollection({ collection_name: d.name }), 'describe');
      d.id = String(desc.collectionID);
      d.state = 'created';
      const rows = Array.from({ length: 200 }, (_, i) => ({ id: i, vector: vecOf(i, 1) }));
      check(await c.insert({ collection_name: d.name, data: rows }), 'insert drop collection');
      check(await c.flushSync({ collection_names: [d.name] }), 'flush drop collection');
      await sleep(randInt(50, 300));
      d.state = 'dropping';
      const res = await c.dropCollection({ collection_name: d.name });
      d.state = isOk(res) ? 'ack' : 'created';
      if (d.state === 'ack') totals.drops++;
    } catch {
      if (d.state === 'dropping') d.state = 'unknown';
      return;
    }
  }
}

// ---- verification ---------------------------------------------------------------------------
async function queryRange(c, lo, hi) {
  const res = await c.query({ collection_name: MAIN, filter: `id >= ${lo} and id < ${hi}`, output_fields: ['id', 'b', 'v'], limit: 16384, consistency_level: 'Strong' });
  return check(res, 'range query').data;
}

function l2(a, b) { let s = 0; for (let i = 0; i < a.length; i++) { const d = a[i] - b[i]; s += d * d; } return s; }

async function verify(c, dataDir) {
  const problems = [];
  let expectedLive = 0;
  for (const w of writers) {
    const rows = await queryRange(c, w.base, w.base + PK_SPAN);
    const present = new Map();
    for (const r of rows) {
      const pk = Number(r.id);
      if (present.has(pk)) problems.push(`I5: pk ${pk} returned twice`);
      present.set(pk, { ver: Number(r.b), v: r.v });
    }
    // I4: resolve the op in flight.
    if (w.pending) {
      const op = w.pending;
      let applied = 0;
      for (const [pk, ver] of op.rows) {
        const p = present.get(pk);
        applied += op.kind === 'delete' ? !p : !!p && p.ver === ver;
      }
      if (applied !== 0 && applied !== op.rows.size) problems.push(`I4: indeterminate ${op.kind} of ${op.rows.size} rows applied to ${applied}`);
      else if (applied) applyOp(w, op);
      w.pending = null;
    }
    let lost = 0, wrong = 0, back = 0, phantom = 0;
    for (const [pk, ver] of w.live) {
      const p = present.get(pk);
      if (!p) { lost++; continue; }
      const want = vecOf(pk, ver);
      if (p.ver !== ver || p.v.length !== DIM || p.v.some((x, i) => x !== want[i])) wrong++;
    }
    for (const pk of w.deleted) if (present.has(pk)) back++;
    for (const [pk, p] of present) {
      const vers = w.written.get(pk);
      if (!vers || !vers.has(p.ver) || !w.live.has(pk) && !w.deleted.has(pk)) phantom++;
    }
    if (lost) problems.push(`I1: ${lost} acknowledged rows lost (writer ${w.base / PK_SPAN})`);
    if (wrong) problems.push(`I1: ${wrong} rows with values other than the acknowledged ones`);
    if (back) problems.push(`I2: ${back} acknowledged deletes resurrected`);
    if (phantom) problems.push(`I3: ${phantom} rows never acknowledged nor in flight`);
    // Continue from what is there, so one violation is reported once.
    for (const pk of [...w.live.keys()]) if (!present.has(pk)) { w.live.delete(pk); w.deleted.add(pk); }
    for (const [pk, p] of present) { w.live.set(pk, p.ver); w.deleted.delete(pk); }
    expectedLive += w.live.size;
  }
  const count = Number(check(await c.query({ collection_name: MAIN, output_fields: ['count(*)'], consistency_level: 'Strong' }), 'count').data[0]['count(*)']);
  if (count !== expectedLive) problems.push(`I5: count(*) = ${count}, acknowledged live rows ${expectedLive}`);

  // I6 after the restart: top-10 equals brute force over the acknowledged live rows.
  const live = writers.flatMap(w => [...w.live].map(([pk, ver]) => [pk, vecOf(pk, ver)]));
  for (let q = 0; q < 3 && live.length; q++) {
    const query = vecOf(randInt(0, 10_000), randInt(1, 5));
    const res = check(await c.search({ collection_name: MAIN, data: [query], limit: 10, output_fields: ['id'], consistency_level: 'Strong' }), 'search');
    const expected = live.map(([pk, v]) => l2(query, v)).sort((a, b) => a - b).slice(0, 10);
    const liveSet = new Map(live);
    const got = res.results;
    const bad = got.length !== expected.length || got.some((h, i) => {
      const v = liveSet.get(Number(h.id));
      return !v || Math.abs(h.score - expected[i]) > 1e-3 * Math.max(1, expected[i]) || Math.abs(l2(query, v) - h.score) > 1e-3 * Math.max(1, h.score);
    });
    if (bad) problems.push(`I6: search top-10 differs from brute force over the acknowledged rows`);
    totals.searchChecks++;
  }

  // Dropped collections stay dropped, and no file of theirs is left (I7).
  for (const d of drops) {
    if (d.state === 'creating' || d.state === 'dropped-verified') continue;
    const has = await c.hasCollection({ collection_name: d.name });
    const exists = !!has.value;
    if (d.state === 'ack' && exists) problems.push(`I2: dropped collection ${d.name} is back`);
    if (d.state === 'created' && !exists) problems.push(`I1: created collection ${d.name} is gone`);
    if (exists) {   // created, or a drop in flight that did not happen: drop it now
      check(await c.dropCollection({ collection_name: d.name }), `drop ${d.name}`);
      d.state = 'ack-now';
      continue;
    }
    if (d.id && d.state !== 'ack-now') {
      for (const dir of [path.join(dataDir, 'objects', `coll-${d.id}`), path.join(dataDir, 'wal', `coll-${d.id}`)]) {
        if (fs.existsSync(dir)) problems.push(`I7: ${dir} of dropped collection ${d.name} left after recovery`);
      }
    }
    d.state = 'dropped-verified';
  }
  return [...problems, ...liveViolations.splice(0)];
}

// ---- the loop -------------------------------------------------------------------------------
const server = new QuiverServer();
const baseArgs = ['--flush-rows', '400', '--wal-max-file-bytes', process.env.CRASH_WAL_FILE_BYTES || '32768', '--min-free-bytes', '0'];
const clients = [];
const closeAll = async () => { for (const c of clients.splice(0)) { try { await c.closeConnection(); } catch { /* dead */ } } };
const connect = async () => { const c = await newClient(server.address, { timeout: 5000, maxRetries: 0 }); clients.push(c); return c; };
let passed = 0, failed = 0;
const t0 = Date.now();

async function startTimed(args) {
  server.extraArgs = args;
  const r0 = Date.now();
  await server.start();
  return Date.now() - r0;
}

async function runLoad(reachMs) {
  const stop = { done: false };
  const cs = [];
  for (let i = 0; i < WRITERS + 3; i++) cs.push(await connect());
  const tasks = [
    ...writers.map((w, i) => writerLoop(cs[i], w, stop)),
    searcherLoop(cs[WRITERS], stop), maintenanceLoop(cs[WRITERS + 1], stop), ...(withDrops ? [dropLoop(cs[WRITERS + 2], stop)] : []),
  ];
  const deadline = Date.now() + reachMs;
  while (server.running && Date.now() < deadline) await sleep(20);
  stop.done = true;
  return { tasks, exited: !server.running };
}

console.log(`crash-point loop: ${points.length} points x ${rounds} rounds, seed ${seed}${unsafe ? `, UNSAFE ${unsafe}` : ''}, data dir ${server.dataDir}`);
try {
  await startTimed([...baseArgs, ...(unsafe ? ['--unsafe', unsafe] : [])]);
  {
    const c = await connect();
    check(await c.createCollection({
      collection_name: MAIN, consistency_level: 'Strong',
      fields: [
        { name: 'id', data_type: DataType.Int64, is_primary_key: true },
        { name: 'b', data_type: DataType.Int64 },
        { name: 'v', data_type: DataType.FloatVector, dim: DIM },
      ],
    }), 'create main');
    // IVF_FLAT (not HNSW) so the saved-index points are reached on CPUs without AVX2 too.
    check(await c.createIndex({ collection_name: MAIN, field_name: 'v', index_type: 'IVF_FLAT', metric_type: 'L2', params: { nlist: 8 } }), 'index');
    check(await c.loadCollection({ collection_name: MAIN }), 'load');
    await closeAll();
  }
  await server.stop();
  const schedule = [];
  for (let r = 0; r < rounds; r++) for (const p of points) schedule.push(p);
  for (const [i, point] of schedule.entries()) {
    const n = randInt(1, 3);
    const spec = `${point}:${n}`;
    const args = [...baseArgs, ...(unsafe ? ['--unsafe', unsafe] : [])];
    let note = '';
    let problems = [];
    try {
      let recoveryMs;
      if (point.startsWith('recovery.')) {
        await startTimed(args);
        const { tasks } = await runLoad(randInt(500, 1500));
        await server.kill();
        await Promise.allSettled(tasks);
        await closeAll();
        let exit = null;
        try { await startTimed([...args, '--crash-at', spec]); } catch { exit = server.exitInfo; }
        if (!exit) { await server.kill(); note = 'not reached at start-up'; }
        else if (exit.code !== CRASH_EXIT) throw new Error(`start-up ended with ${JSON.stringify(exit)}, not at ${spec}`);
        else hits.set(point, (hits.get(point) || 0) + 1);
      } else {
        await startTimed([...args, '--crash-at', spec]);
        const { tasks, exited } = await runLoad(REACH_TIMEOUT_MS);
        if (!exited) { await server.kill(); note = `not reached in ${REACH_TIMEOUT_MS / 1000} s`; }
        else if (server.exitInfo.code !== CRASH_EXIT) throw new Error(`server ended with ${JSON.stringify(server.exitInfo)} instead of at ${spec}\n${server.logs().slice(-3000)}`);
        else hits.set(point, (hits.get(point) || 0) + 1);
        await Promise.allSettled(tasks);
        await closeAll();
      }
      recoveryMs = await startTimed(args);
      recoveries.push(recoveryMs);
      const c = await connect();
      problems = await verify(c, server.dataDir);
      if (recoveryMs > RECOVERY_BOUND_MS) problems.push(`I7: recovery took ${recoveryMs} ms (bound ${RECOVERY_BOUND_MS} ms)`);
      if (note) problems.push(`crash point ${spec} ${note}`);
      await closeAll();
      await server.stop();
      const line = `[${i + 1}/${schedule.length}] ${spec}: recovery ${recoveryMs} ms`;
      if (problems.length) { failed++; console.log(`${line}\n  FAIL: ${problems.join('\n  FAIL: ')}`); }
      else { passed++; console.log(`${line} — ok`); }
    } catch (err) {
      failed++;
      console.log(`[${i + 1}/${schedule.length}] ${spec}: ERROR ${err && err.stack || err}`);
      await closeAll();
      if (server.running) await server.stop();
      console.log(`server output (tail):\n${server.logs().slice(-3000)}`);
      break;
    }
  }
} finally {
  await closeAll();
  await server.stop();
  if (!failed) server.cleanup();
  else console.log(`data dir kept: ${server.dataDir}`);
}
const sorted = [...recoveries].sort((a, b) => a - b);
console.log(`summary: seed ${seed}; crash points reached ${hits.size} of ${points.length}; ` +
  `acknowledged rows: ${totals.insert} inserted, ${totals.upsert} upserted, ${totals.delete} deleted; ` +
  `${totals.indeterminate} indeterminate ops, ${totals.rejected} rejected; ${totals.flushes} flushes, ${totals.compactions} compactions, ` +
  `${totals.drops} drops; ${totals.searches} Strong searches checked during load, ${totals.searchChecks} brute-force checks; ` +
  `recovery p50 ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, max ${sorted.at(-1) ?? '-'} ms; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || passed !== rounds * points.length ? 1 : 0);
