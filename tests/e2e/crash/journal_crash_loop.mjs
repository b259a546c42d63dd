// Crash–restart loop with a client-side journal (shared/reliability-plan.md §0–1).
//
// Each cycle: K concurrent writers insert batches of 100 rows (dim 8, unique pks) and delete
// acknowledged rows by pk (1–100 per request) in this cycle's collection; the server is SIGKILLed
// at a random moment 200–1500 ms into the cycle and restarted on the same data dir; then every
// collection written so far (earlier ones have been through several crashes) is verified:
//   I1 every acknowledged insert is present exactly as written (unless an acknowledged delete
//      removed it),
//   I2 no acknowledged delete is resurrected,
//   I3 no phantom: every row belongs to a batch that was sent and not rejected,
//   I4 every indeterminate insert batch and delete set is all-or-nothing,
//   I5 no pk is returned twice and count(*) equals the number of rows listed.
// "Acknowledged" = the RPC returned a success status. "Rejected" = it returned an error status
// (must not be applied). "Indeterminate" = no answer (the server died, timeout, transport error).
//
// Verification reads without filter expressions (count(*) plus limit/offset pages, which
// cover at most 16384 rows, so writers keep each collection's live rows below that); when the server
// accepts filters, every acknowledged pk is also fetched by id (`id in [...]`) in chunks.
//
// Usage: node crash/journal_crash_loop.mjs [cycles]   (or CRASH_CYCLES; default 5)
// Env: CRASH_SEED (workload/kill-time seed), CRASH_WRITERS (default 4), QUIVER_BIN,
// CRASH_NEGATIVE_CONTROL=1 (falsify the journal; the loop must then report violations).
// Prints one line per cycle and ends with the plain line "N passed, N failed" (cycles); exits
// non-zero on any violation. On failure the data dir is kept and its path printed.
import { QuiverServer } from '../lib/server.mjs';
import { newClient, DataType, seededRandom } from '../lib/helpers.mjs';

const cycles = Number(process.argv[2] || process.env.CRASH_CYCLES || 5);
const writersN = Number(process.env.CRASH_WRITERS || 4);
const seed = Number(process.env.CRASH_SEED || Date.now() % 1_000_000);
const DIM = 8;
const BATCH = 100;
const MAX_ROWS_PER_COLLECTION = 12_000;   // live rows; stays within the 16384-row limit/offset window
const PAGE = 4096;

const { rand } = seededRandom(seed);   // the workload replays from its seed
const sleep = ms => new Promise(r => setTimeout(r, ms));
const vecOf = (pk, batchNo) => Array.from({ length: DIM }, (_, i) => Math.fround(i === 0 ? pk : i === 1 ? batchNo : (pk * (i + 1)) % 97 / 7));
const isOk = res => res && res.status ? res.status.error_code === 'Success' && Number(res.status.code ?? 0) === 0
  : res && res.error_code === 'Success' && Number(res.code ?? 0) === 0;

const collections = [];   // journal per collection
let nextPk = 1;           // globally unique pks
let filtersAvailable = null;

function newJournal(name) {
  return {
    name,
    batches: [],            // {no, pks, state: 'ack'|'unknown'|'rejected'|'absent'}
    batchOfPk: new Map(),   // pk -> batch
    delSets: [],            // {pks, state: 'ack'|'unknown'|'rejected'}
    deleted: new Map(),     // pk -> 'ack'|'unknown'   (pending or acknowledged delete)
    potentialLive: 0,       // rows sent minus rows deleted (pending or acked): bounded by the scan window
    stats: { insAck: 0, insUnknown: 0, insRejected: 0, delAck: 0, delUnknown: 0, delRejected: 0 },
  };
}

async function client(server) {
  return newClient(server.address, { timeout: 5000, maxRetries: 0 });
}

function check(res, what) {
  if (!isOk(res)) throw new Error(`${what}: ${JSON.stringify(res.status || res)}`);
  return res;
}

async function createCollection(c, name) {
  check(await c.createCollection({
    collection_name: name,
    consistency_level: 'Strong',
    fields: [
      { name: 'id', data_type: DataType.Int64, is_primary_key: true },
      { name: 'b', data_type: DataType.Int64 },
      { name: 'v', data_type: DataType.FloatVector, dim: DIM },
    ],
  }), `create ${name}`);
  check(await c.createIndex({ collection_name: name, field_name: 'v', index_type: 'FLAT', metric_type: 'L2' }), 'createIndex');
  check(await c.loadCollection({ collection_name: name }), 'load');
}

async function writer(c, j, stop) {
  while (!stop.done) {
    const r = rand();
    const room = j.potentialLive + BATCH <= MAX_ROWS_PER_COLLECTION;
    if (r < 0.70 && room) {
      const batch = { no: j.batches.length, pks: Array.from({ length: BATCH }, () => nextPk++), state: 'unknown' };
      j.batches.push(batch);
      j.potentialLive += BATCH;
      for (const pk of batch.pks) j.batchOfPk.set(pk, batch);
      const data = batch.pks.map(pk => ({ id: pk, b: batch.no, v: vecOf(pk, batch.no) }));
      try {
        const res = await c.insert({ collection_name: j.name, data });
        batch.state = isOk(res) ? 'ack' : 'rejected';
      } catch { /* indeterminate: stays 'unknown' */ }
      if (batch.state === 'rejected') j.potentialLive -= BATCH;
    } else if (r < 0.97 || !room) {
      // Delete 1..BATCH not-yet-deleted rows of one acknowledged batch, by pk.
      const candidates = j.batches.filter(b => b.state === 'ack' && b.pks.some(p => !j.deleted.has(p)));
      if (!candidates.length) { await sleep(2); continue; }
      const b = candidates[Math.floor(rand() * candidates.length)];
      const pks = b.pks.filter(p => !j.deleted.has(p)).slice(0, 1 + Math.floor(rand() * BATCH));
      const set = { pks, state: 'unknown' };
      j.delSets.push(set);
      j.potentialLive -= pks.length;
      for (const p of pks) j.deleted.set(p, 'unknown');
      try {
        const res = await c.delete({ collection_name: j.name, ids: pks });
        set.state = isOk(res) ? 'ack' : 'rejected';
      } catch { /* indeterminate */ }
      if (set.state === 'ack') for (const p of pks) j.deleted.set(p, 'ack');
      if (set.state === 'rejected') {
        for (const p of pks) j.deleted.delete(p);
        j.potentialLive += pks.length;
        // Deletes are unavailable (e.g. no filter support yet): do not spin on them.
        if (!room) await sleep(20);
      }
    } else {
      try { await c.flushSync({ collection_names: [j.name] }); } catch { /* crash mid-flush */ }
    }
  }
}

async function readAll(c, name) {
  const rows = [];
  for (let offset = 0; offset < 16384; offset += PAGE) {
    const limit = Math.min(PAGE, 16384 - offset);
    const res = await c.query({ collection_name: name, output_fields: ['id', 'b', 'v'], limit, offset, consistency_level: 'Strong' });
    check(res, `query ${name} offset ${offset}`);
    rows.push(...res.data);
    if (res.data.length < limit) break;
  }
  const count = await c.query({ collection_name: name, output_fields: ['count(*)'], consistency_level: 'Strong' });
  check(count, `count(*) ${name}`);
  return { rows, count: Number(count.data[0]['count(*)']) };
}

async function probeFilters(c, name) {
  try {
    const res = await c.query({ collection_name: name, filter: 'id in [-1]', output_fields: ['id'], limit: 1 });
    return isOk(res);
  } catch {
    return false;
  }
}

/** Returns a list of violations; resolves indeterminate entries on first sight. */
async function verify(c, j) {
  const problems = [];
  const { rows, count } = await readAll(c, j.name);
  const present = new Map();
  let dups = 0;
  for (const r of rows) {
    const pk = Number(r.id);
    if (present.has(pk)) dups++;
    present.set(pk, r);
  }
  if (dups) problems.push(`I5: ${dups} pks returned twice`);
  if (count !== rows.length) problems.push(`I5: count(*)=${count} but ${rows.length} rows listed`);

  // I3 + I1 (values): every row comes from a batch that may exist, with the values written.
  let phantoms = 0, wrongValues = 0;
  for (const [pk, r] of present) {
    const b = j.batchOfPk.get(pk);
    if (!b || b.state === 'rejected' || b.state === 'absent') { phantoms++; continue; }
    const want = vecOf(pk, b.no);
    if (Number(r.b) !== b.no || r.v.length !== DIM || r.v.some((x, i) => x !== want[i])) wrongValues++;
  }
  if (phantoms) problems.push(`I3: ${phantoms} rows that were never acknowledged-or-pending (rejected/absent/unknown batch)`);
  if (wrongValues) problems.push(`I1: ${wrongValues} rows with values different from what was written`);

  // I1 / I2 / I4 for insert batches.
  let lost = 0, resurrected = 0;
  for (const b of j.batches) {
    if (b.state === 'ack') {
      for (const pk of b.pks) {
        const del = j.deleted.get(pk);
        if (del === 'ack' && present.has(pk)) resurrected++;
        if (del === undefined && !present.has(pk)) lost++;
      }
    } else if (b.state === 'unknown') {
      const n = b.pks.filter(p => present.has(p)).length;
      if (n !== 0 && n !== b.pks.length) problems.push(`I4: indeterminate batch ${b.no} half applied (${n}/${b.pks.length} rows)`);
      b.state = n > 0 ? 'ack' : 'absent';
      j.stats.insUnknown++;
    }
  }
  if (lost) problems.push(`I1: ${lost} acknowledged rows lost`);
  if (resurrected) problems.push(`I2: ${resurrected} acknowledged deletes resurrected`);

  // I4 for indeterminate delete sets (all deleted or none).
  for (const s of j.delSets) {
    if (s.state !== 'unknown') continue;
    const n = s.pks.filter(p => present.has(p)).length;
    if (n !== 0 && n !== s.pks.length) problems.push(`I4: indeterminate delete of ${s.pks.length} pks half applied (${n} still present)`);
    s.state = n === 0 ? 'ack' : 'rejected';
    for (const p of s.pks) { if (n === 0) j.deleted.set(p, 'ack'); else j.deleted.delete(p); }
    j.stats.delUnknown++;
  }

  // By-id check (needs `pk in [...]` filters): every expected-live pk is found, no deleted one.
  if (filtersAvailable) {
    const expected = [...j.batches.filter(b => b.state === 'ack').flatMap(b => b.pks)];
    let missing = 0, found = 0, back = 0;
    for (let i = 0; i < expected.length; i += 1000) {
      const ids = expected.slice(i, i + 1000);
      const res = await c.query({ collection_name: j.name, filter: `id in [${ids.join(',')}]`, output_fields: ['id'], limit: 16384, consistency_level: 'Strong' });
      check(res, 'query by ids');
      const got = new Set(res.data.map(r => Number(r.id)));
      for (const pk of ids) {
        const del = j.deleted.get(pk) === 'ack';
        if (got.has(pk)) { found++; if (del) back++; } else if (!del) missing++;
      }
      if (got.size !== res.data.length) problems.push('I5: query by ids returned a pk twice');
    }
    if (missing) problems.push(`I1 (by id): ${missing} acknowledged pks not found by id`);
    if (back) problems.push(`I2 (by id): ${back} deleted pks found by id`);
  }
  return { problems, live: present.size };
}

/**
 * Negative control (CRASH_NEGATIVE_CONTROL=1): lies in the journal so that a correct server
 * must be reported as violating I1 (an "acknowledged" batch that was never sent) and I2 (an
 * "acknowledged" delete that was never sent). The loop must then fail.
 */
function falsifyJournal(j) {
  const fake = { no: j.batches.length, pks: Array.from({ length: BATCH }, () => nextPk++), state: 'ack' };
  j.batches.push(fake);
  for (const pk of fake.pks) j.batchOfPk.set(pk, fake);
  const victim = j.batches.find(b => b.state === 'ack' && b !== fake && b.pks.some(p => !j.deleted.has(p)));
  if (victim) j.deleted.set(victim.pks.find(p => !j.deleted.has(p)), 'ack');
}

// ------------------------------------------------------------------------------------------
const server = new QuiverServer();
let passed = 0, failed = 0;
const t0 = Date.now();
const recoveries = [];
let clients = [];
const closeAll = async () => {
  for (const c of clients.splice(0)) { try { await c.closeConnection(); } catch { /* dead */ } }
};

console.log(`journal crash loop: ${cycles} cycles, ${writersN} writers, seed ${seed}, data dir ${server.dataDir}`);
try {
  await server.start();
  for (let cycle = 1; cycle <= cycles; cycle++) {
    const j = newJournal(`crash_${cycle}`);
    let cycleProblems = [];
    try {
      const admin = await client(server);
      clients.push(admin);
      await createCollection(admin, j.name);
      collections.push(j);
      if (filtersAvailable === null) filtersAvailable = await probeFilters(admin, j.name);
      for (let w = 0; w < writersN; w++) clients.push(await client(server));
      const stop = { done: false };
      const writers = clients.slice(1).map(c => writer(c, j, stop));
      const killAfter = 200 + Math.floor(rand() * 1300);
      await sleep(killAfter);
      stop.done = true;
      await server.kill();
      await Promise.allSettled(writers);
      await closeAll();
      for (const b of j.batches) {
        if (b.state === 'ack') j.stats.insAck++;
        if (b.state === 'rejected') j.stats.insRejected++;
      }
      for (const s of j.delSets) {
        if (s.state === 'ack') j.stats.delAck += s.pks.length;
        if (s.state === 'rejected') j.stats.delRejected++;
      }
      if (process.env.CRASH_NEGATIVE_CONTROL === '1') falsifyJournal(j);
      const r0 = Date.now();
      await server.start();
      const c = await client(server);
      clients.push(c);
      // The first RPC after restart may race the server's readiness; give it a few tries.
      let ready = false;
      for (let i = 0; i < 50 && !ready; i++) {
        try { ready = isOk(await c.getLoadState({ collection_name: j.name })); } catch { /* not yet */ }
        if (!ready) await sleep(100);
      }
      const recoveryMs = Date.now() - r0;
      recoveries.push(recoveryMs);
      const v0 = Date.now();
      const lives = [];
      for (const jj of collections) {
        const { problems, live } = await verify(c, jj);
        lives.push(live);
        cycleProblems.push(...problems.map(p => `${jj.name}: ${p}`));
      }
      await closeAll();
      const s = j.stats;
      const line = `cycle ${cycle}: killed at ${killAfter} ms; inserts ${s.insAck} acked / ${s.insUnknown} indeterminate / ${s.insRejected} rejected batches; ` +
        `deletes ${s.delAck} pks acked / ${s.delUnknown} indeterminate / ${s.delRejected} rejected sets; ` +
        `live rows ${lives.join('+')}; recovery ${recoveryMs} ms, verify ${Date.now() - v0} ms`;
      if (cycleProblems.length) {
        failed++;
        console.log(`${line}\n  FAIL: ${cycleProblems.join('\n  FAIL: ')}`);
      } else {
        passed++;
        console.log(`${line} — ok`);
      }
    } catch (err) {
      failed++;
      console.log(`cycle ${cycle}: ERROR ${err && err.stack || err}`);
      await closeAll();
      if (!server.running) {
        console.log(`server output (tail):\n${server.logs().slice(-4000)}`);
        break;
      }
    }
  }
} finally {
  await closeAll();
  await server.stop();
  if (!failed) server.cleanup();
  else console.log(`data dir kept: ${server.dataDir}`);
}
const sorted = [...recoveries].sort((a, b) => a - b);
const totalAcked = collections.reduce((n, j) => n + j.batches.filter(b => b.state === 'ack').length * BATCH, 0);
const totalDeleted = collections.reduce((n, j) => n + [...j.deleted.values()].filter(s => s === 'ack').length, 0);
console.log(`summary: seed ${seed}; ${collections.length} collections; ${totalAcked} rows acknowledged, ${totalDeleted} pks deleted; ` +
  `by-id check ${filtersAvailable ? 'on' : 'off (filters unavailable)'}; recovery p50 ${sorted[Math.floor(sorted.length / 2)] ?? '-'} ms, ` +
  `max ${sorted.at(-1) ?? '-'} ms; ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || passed !== cycles ? 1 : 0);
