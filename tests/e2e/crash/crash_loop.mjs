// Crash–restart loop: writers insert and delete while the server is SIGKILLed at a random
// moment; after each restart every invariant of shared/reliability-plan.md §0 that the
// journal can check is verified:
//   I1 every acknowledged insert is present (unless an acknowledged delete removed it),
//   I2 no acknowledged delete is resurrected, I3 no pk that was never sent appears,
//   I4 every indeterminate batch is all-or-nothing, I5 no pk is returned twice and
//   count(*) matches.
// Usage: node crash/crash_loop.mjs [cycles=5]. Ends with "N passed, N failed" (cycles).
import { QuiverServer } from '../lib/server.mjs';
import { newClient, DataType } from '../lib/helpers.mjs';

const cycles = Number(process.argv[2] || process.env.CRASH_CYCLES || 5);
const seed = Number(process.env.CRASH_SEED || Date.now() % 100000);
let rng = seed;
const rand = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);
const sleep = ms => new Promise(r => setTimeout(r, ms));
const DIM = 8;
const COLL = 'crash';

const batches = [];            // {pks, state: 'ack' | 'unknown' | 'absent'}
const deleted = new Map();     // pk -> 'ack' | 'unknown'
let nextPk = 0;

function client(server) {
  return newClient(server.address, { timeout: 5000 });
}

async function setup(c) {
  const r = await c.createCollection({
    collection_name: COLL,
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'v', data_type: DataType.FloatVector, dim: DIM },
      { name: 'b', data_type: DataType.Int64 },
    ],
  });
  if (r.error_code !== 'Success') throw new Error('create: ' + r.reason);
  await c.createIndex({ collection_name: COLL, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' });
  await c.loadCollection({ collection_name: COLL });
}

async function writer(c, stop, id) {
  while (!stop.done) {
    const r = rand();
    if (r < 0.75 || batches.length === 0) {
      const n = 20 + Math.floor(rand() * 80);
      const batchNo = batches.length;
      const pks = Array.from({ length: n }, () => nextPk++);
      const batch = { pks, state: 'unknown' };
      batches.push(batch);
      const data = pks.map(pk => ({ id: pk, v: Array.from({ length: DIM }, (_, i) => pk + i), b: batchNo }));
      try {
        const res = await c.insert({ collection_name: COLL, data });
        batch.state = res.status.error_code === 'Success' ? 'ack' : 'unknown';
      } catch { /* indeterminate */ }
    } else if (r < 0.95) {
      // Delete a few acknowledged rows.
      const acked = batches.filter(b => b.state === 'ack');
      if (!acked.length) continue;
      const b = acked[Math.floor(rand() * acked.length)];
      const pks = b.pks.filter(p => !deleted.has(p)).slice(0, 5);
      if (!pks.length) continue;
      for (const p of pks) deleted.set(p, 'unknown');
      try {
        const res = await c.delete({ collection_name: COLL, filter: `id in [${pks.join(',')}]` });
        if (res.status.error_code === 'Success') for (const p of pks) deleted.set(p, 'ack');
      } catch { /* indeterminate */ }
    } else if (r < 0.98) {
      try { await c.flushSync({ collection_names: [COLL] }); } catch { /* crash mid-flush */ }
    } else {
      // Compaction rewrites every persisted segment: a kill may land in the middle of it.
      try { await c.compact({ collection_name: COLL }); } catch { /* crash mid-compaction */ }
    }
  }
}

async function readAll(c) {
  // Pages by primary key (results come in pk order), as query_iterator does.
  const seen = [];
  let last = -1;
  for (;;) {
    const res = await c.query({ collection_name: COLL, filter: `id > ${last}`, output_fields: ['id'], limit: 16000 });
    if (res.status.error_code !== 'Success') throw new Error('query: ' + res.status.reason);
    for (const row of res.data) seen.push(Number(row.id));
    if (res.data.length < 16000) break;
    last = Number(res.data[res.data.length - 1].id);
  }
  const count = await c.query({ collection_name: COLL, output_fields: ['count(*)'] });
  return { seen, count: Number(count.data[0]['count(*)']) };
}

function verify({ seen, count }) {
  const problems = [];
  const present = new Set(seen);
  if (present.size !== seen.length) problems.push(`I5: ${seen.length - present.size} duplicate pks`);
  if (count !== present.size) problems.push(`I5: count(*)=${count} but ${present.size} rows listed`);
  if (seen.some(p => p >= nextPk || p < 0)) problems.push('I3: a pk that was never sent');
  for (const b of batches) {
    const here = b.pks.filter(p => present.has(p) || deleted.has(p)).length;
    const liveExpected = b.pks.filter(p => !deleted.has(p));
    if (b.state === 'ack') {
      const lost = liveExpected.filter(p => !present.has(p));
      if (lost.length) problems.push(`I1: ${lost.length} acknowledged rows lost (first ${lost[0]})`);
    } else if (b.state === 'unknown') {
      const got = b.pks.filter(p => present.has(p)).length;
      if (got !== 0 && got !== liveExpected.length) {
        problems.push(`I4: indeterminate batch of ${b.pks.length} is half applied (${got} present)`);
      }
      b.state = got > 0 || here > 0 ? 'ack' : 'absent';
    }
  }
  for (const [p, st] of deleted) {
    if (st === 'ack' && present.has(p)) problems.push(`I2: deleted pk ${p} resurrected`);
    if (st === 'unknown') {
      if (present.has(p)) deleted.delete(p);
      else deleted.set(p, 'ack');
    }
  }
  return problems;
}

const server = await QuiverServer.start();
let passed = 0, failed = 0;
const t0 = Date.now();
try {
  let c = await client(server);
  await setup(c);
  for (let cycle = 1; cycle <= cycles; ++cycle) {
    const stop = { done: false };
    const writers = [0, 1, 2].map(i => writer(c, stop, i));
    await sleep(200 + Math.floor(rand() * 1000));
    await server.kill();
    stop.done = true;
    await Promise.allSettled(writers);
    try { await c.closeConnection(); } catch { /* dead */ }
    const r0 = Date.now();
    await server.start();
    c = await client(server);
    const state = await readAll(c);
    const recoveryMs = Date.now() - r0;
    const problems = verify(state);
    const acked = batches.filter(b => b.state === 'ack').reduce((n, b) => n + b.pks.length, 0);
    if (problems.length) {
      failed++;
      console.log(`cycle ${cycle}: FAIL ${problems.join('; ')} (data dir ${server.dataDir})`);
    } else {
      passed++;
      console.log(`cycle ${cycle}: ok — ${state.seen.length} rows live, ${acked} rows acknowledged in total, ` +
        `${[...deleted.values()].filter(s => s === 'ack').length} deletes acknowledged, restart+verify ${recoveryMs} ms`);
    }
  }
  try { await c.closeConnection(); } catch { /* ignore */ }
} finally {
  await server.stop();
  if (!failed) server.cleanup();
}
const compactions = (server.logs().match(/compacted:/g) || []).length;
console.log(`crash loop: seed ${seed}, ${cycles} cycles in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
  `${compactions} compactions completed (in the log kept)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
