// A damaged segment file or WAL record is reported (file and offset) and never served: the
// server refuses to start rather than answer with wrong or missing data. The campaign at the end
// flips random bits in, truncates and swaps every file type (segment, saved index, WAL, the
// SQLite catalog/manifest store) and classifies each start: refused with an error (detected), a
// damaged saved index logged and rebuilt (detected), or served data identical to before
// (harmless, e.g. free space in a SQLite page). Never a crash, never a different answer. The
// pristine copy is taken after a clean shutdown, so the WAL's clean-shutdown record covers the
// active file to its last byte: a cut or flip in its last record is detected too, never taken
// for the torn tail of a crash. CORRUPTION_FLIPS (default 6 per file type) and CORRUPTION_SEED
// scale and replay it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServer, assertOk, uniq, newClient, closeClients, DataType } from './lib/helpers.mjs';
import { QuiverServer } from './lib/server.mjs';

function filesUnder(dir, suffix) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p, suffix));
    else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out;
}

function flipByte(file, offset) {
  const buf = fs.readFileSync(file);
  buf[offset] ^= 0x5a;
  fs.writeFileSync(file, buf);
}

const rows = (a, b) => Array.from({ length: b - a }, (_, i) => ({ id: a + i, vector: [a + i, 1, 2, 3] }));

describe('corruption is detected, not served', () => {
  const ctx = useServer({ before, after });

  it('a flipped byte in a segment file stops the server with the file named', async () => {
    const name = uniq('seg');
    const c = ctx.client;
    assertOk(await c.createCollection({ collection_name: name, dimension: 4 }));
    assertOk(await c.insert({ collection_name: name, data: rows(0, 100) }));
    assertOk(await c.flushSync({ collection_names: [name] }));
    await ctx.server.stop();
    const [seg] = filesUnder(path.join(ctx.server.dataDir, 'objects'), '.qseg');
    assert.ok(seg, 'a segment file exists after flush');
    flipByte(seg, Math.floor(fs.statSync(seg).size / 2));
    await assert.rejects(ctx.server.start(), err => {
      assert.match(err.message, /exited before becoming ready/);
      assert.match(err.message, new RegExp(path.basename(seg)));
      return true;
    });
    flipByte(seg, Math.floor(fs.statSync(seg).size / 2));  // repair: the data is back
    await ctx.server.start();
    const c2 = await ctx.newClient();
    const n = await c2.query({ collection_name: name, output_fields: ['count(*)'] });
    assert.equal(Number(n.data[0]['count(*)']), 100);
  });

  it('a flipped byte inside the WAL (not a torn tail) stops the server with file and offset', async () => {
    const name = uniq('wal');
    const c = await ctx.newClient();
    assertOk(await c.createCollection({ collection_name: name, dimension: 4 }));
    assertOk(await c.insert({ collection_name: name, data: rows(0, 50) }));
    assertOk(await c.insert({ collection_name: name, data: rows(50, 100) }));
    await ctx.server.stop();
    const walFiles = filesUnder(path.join(ctx.server.dataDir, 'wal'), '.wal')
      .filter(f => fs.statSync(f).size > 200);
    const wal = walFiles[walFiles.length - 1];
    flipByte(wal, 16 + 16 + 20);  // inside the first record's payload
    await assert.rejects(ctx.server.start(), err => {
      assert.match(err.message, /checksum mismatch/);
      assert.match(err.message, /offset 16/);
      return true;
    });
  });
});

describe('the WAL after a clean shutdown', () => {
  const ctx = useServer({ before, after });

  it('a cut inside the last record stops the server instead of dropping acknowledged rows', async () => {
    const name = uniq('clean');
    const c = await ctx.newClient();
    assertOk(await c.createCollection({ collection_name: name, dimension: 4 }));
    assertOk(await c.insert({ collection_name: name, data: rows(0, 50) }));
    assertOk(await c.insert({ collection_name: name, data: rows(50, 100) }));
    await ctx.server.stop();
    const wal = filesUnder(path.join(ctx.server.dataDir, 'wal'), '.wal').filter(f => fs.statSync(f).size > 200).at(-1);
    assert.ok(fs.existsSync(path.join(path.dirname(wal), 'CLEAN')), 'the clean-shutdown record exists');
    const size = fs.statSync(wal).size;
    fs.truncateSync(wal, size - 7);  // after a crash this would be a torn tail and 50 rows gone
    await assert.rejects(ctx.server.start(), err => {
      assert.match(err.message, /synced before the last clean shutdown/);
      return true;
    });
    fs.truncateSync(wal, size);  // the cut bytes come back as zeros: still damage
    await assert.rejects(ctx.server.start(), /exited before becoming ready/);
  });
});

describe('bit flips, truncations and swapped files in every file type', () => {
  const FLIPS = Number(process.env.CORRUPTION_FLIPS || 6);
  const seed = Number(process.env.CORRUPTION_SEED || Date.now() % 1_000_000);
  let rngState = seed >>> 0;
  const rand = () => {   // mulberry32
    rngState = (rngState + 0x6d2b79f5) >>> 0;
    let t = rngState;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const randInt = n => Math.floor(rand() * n);
  const DIM = 8;
  const A = 'flip_a', B = 'flip_b';
  const vec = i => Array.from({ length: DIM }, (_, k) => Math.fround(((i * (k + 3)) % 31) / 7 + k));
  // IVF_FLAT probed on every list is exact, so searches through a loaded (or rebuilt) index give
  // the same answer; --exact-scan-max-cost 0 makes every search go through the index.
  const server = new QuiverServer({ extraArgs: ['--exact-scan-max-cost', '0', '--min-free-bytes', '0'] });
  const pristine = fs.mkdtempSync(path.join(path.dirname(server.dataDir), 'quiver-pristine-'));
  const tally = { trials: 0, detected: 0, indexRebuilt: 0, harmless: 0, wrong: 0, crashes: 0 };
  const byType = {};
  let expected;

  async function snapshot() {
    const c = await newClient(server.address);
    try {
      const out = {};
      for (const name of [A, B]) {
        const res = await c.query({ collection_name: name, filter: 'id >= 0', output_fields: ['id', 'vector'], limit: 16384, consistency_level: 'Strong' });
        assertOk(res, `query ${name}`);
        out[name] = res.data.map(r => `${r.id}:${r.vector.join(',')}`).sort();
      }
      out.search = [];
      for (const q of [1, 77, 1500]) {
        const res = await c.search({ collection_name: A, data: [vec(q)], limit: 10, params: { nprobe: 4 }, consistency_level: 'Strong' });
        assertOk(res, 'search');
        out.search.push(res.results.map(h => `${h.id}:${h.score.toFixed(4)}`).join(' '));
      }
      return out;
    } finally {
      await closeClients([c]);
    }
  }

  // The files of a data dir (default: the pristine copy every trial starts from).
  const files = (root = pristine) => ({
    segment: filesUnder(path.join(root, 'objects'), '.qseg'),
    index: filesUnder(path.join(root, 'objects'), '.qidx'),
    wal: [...filesUnder(path.join(root, 'wal'), '.wal').filter(f => fs.statSync(f).size > 16),
          ...filesUnder(path.join(root, 'wal'), `${path.sep}CLEAN`)],
    catalog: [path.join(root, 'meta.db')],
  });

  before(async () => {
    await server.start();
    const c = await newClient(server.address);
    assertOk(await c.createCollection({
      collection_name: A,
      fields: [{ name: 'id', data_type: DataType.Int64, is_primary_key: true }, { name: 'vector', data_type: DataType.FloatVector, dim: DIM }],
    }));
    assertOk(await c.createIndex({ collection_name: A, field_name: 'vector', index_type: 'IVF_FLAT', metric_type: 'L2', params: { nlist: 4 } }));
    assertOk(await c.loadCollection({ collection_name: A }));
    const rows = (a, b) => Array.from({ length: b - a }, (_, k) => ({ id: a + k, vector: vec(a + k) }));
    for (let i = 0; i < 1000; i += 250) assertOk(await c.insert({ collection_name: A, data: rows(i, i + 250) }));
    assertOk(await c.flushSync({ collection_names: [A] }));
    assertOk(await c.insert({ collection_name: A, data: rows(1000, 2000) }));
    assertOk(await c.delete({ collection_name: A, ids: Array.from({ length: 100 }, (_, k) => k) }));
    assertOk(await c.flushSync({ collection_names: [A] }));
    for (let t = 0; t < 100 && !files(server.dataDir).index.length; t++) await new Promise(r => setTimeout(r, 100));
    assert.ok(files(server.dataDir).index.length, 'a saved index file exists');
    // The tail of the WAL: ten small records after the last flush, the last one rows 2090..2099.
    for (let i = 2000; i < 2100; i += 10) assertOk(await c.insert({ collection_name: A, data: rows(i, i + 10) }));
    assertOk(await c.createCollection({ collection_name: B, dimension: DIM }));
    assertOk(await c.insert({ collection_name: B, data: rows(0, 300) }));
    assertOk(await c.flushSync({ collection_names: [B] }));
    await closeClients([c]);
    expected = await snapshot();
    await server.stop();
    fs.cpSync(server.dataDir, pristine, { recursive: true });
  });

  after(async () => {
    await server.stop();
    server.cleanup();
    fs.rmSync(pristine, { recursive: true, force: true });
    console.log(`corruption campaign (seed ${seed}): ${tally.trials} damaged starts: ${tally.detected} refused with an error, ` +
      `${tally.indexRebuilt} damaged indexes rebuilt, ${tally.harmless} harmless, ` +
      `${tally.wrong} wrong answers, ${tally.crashes} crashes; by type ${JSON.stringify(byType)}`);
  });

  // Damages the data dir with `mutate`, starts the server and classifies the outcome; restores
  // the pristine data dir afterwards.
  async function trial(type, what, mutate) {
    fs.rmSync(server.dataDir, { recursive: true, force: true });
    fs.cpSync(pristine, server.dataDir, { recursive: true });
    mutate();
    // The server keeps the last 256 KiB of output: find this start by its banner, not an offset.
    const banner = `--- start #${server.starts + 1}:`;
    const sinceStart = () => { const l = server.logs(); const i = l.lastIndexOf(banner); return i < 0 ? l : l.slice(i); };
    let outcome;
    try {
      await server.start();
    } catch (err) {
      const exit = server.exitInfo || {};
      outcome = exit.signal || (exit.code !== 1 && exit.code !== 2) ? 'crash' : 'detected';
      if (outcome === 'crash') console.log(`${what}: server ended with ${JSON.stringify(exit)}\n${sinceStart()}`);
    }
    if (!outcome) {
      // The builder loads (or rejects) the saved index soon after start.
      for (let t = 0; t < 50 && !/loaded saved|not used, rebuilding/.test(sinceStart()); t++) {
        await new Promise(r => setTimeout(r, 100));
      }
      const got = await snapshot();
      const log = sinceStart();
      await server.stop();
      if (JSON.stringify(got) === JSON.stringify(expected)) {
        outcome = /not used, rebuilding/.test(log) ? 'indexRebuilt' : 'harmless';
      } else {
        outcome = 'wrong';
        console.log(`${what}: WRONG ANSWER\n${log}`);
      }
    }
    tally.trials++;
    tally[outcome]++;
    byType[type] = byType[type] || {};
    byType[type][outcome] = (byType[type][outcome] || 0) + 1;
    return outcome;
  }

  const rel = f => path.relative(pristine, f);

  for (const type of ['segment', 'index', 'wal', 'catalog']) {
    it(`${type} files: ${FLIPS} random bit flips and 2 truncations are detected or harmless, never served wrong`, { timeout: 600_000 }, async () => {
      for (let k = 0; k < FLIPS + 2; k++) {
        const list = files()[type].map(rel);
        const target = list[randInt(list.length)];
        const size = fs.statSync(path.join(pristine, target)).size;
        const flip = k < FLIPS;
        const off = randInt(size);
        const cut = randInt(size);
        const bit = randInt(8);
        const what = flip ? `${type} ${target}: byte ${off} bit ${bit} flipped` : `${type} ${target}: truncated to ${cut} of ${size} bytes`;
        const outcome = await trial(type, what, () => {
          const f = path.join(server.dataDir, target);
          if (flip) {
            const buf = fs.readFileSync(f);
            buf[off] ^= 1 << bit;
            fs.writeFileSync(f, buf);
          } else {
            fs.truncateSync(f, cut);
          }
        });
        assert.ok(outcome !== 'wrong' && outcome !== 'crash', `${what}: ${outcome}`);
      }
    });
  }

  it('swapped files (two segments, segments of two collections, a segment for an index, two WAL files) are detected', { timeout: 300_000 }, async () => {
    const f = files();
    const segA = f.segment.filter(p => p.includes(`${path.sep}coll-`)).map(rel);
    const pairs = [];
    const byDir = {};
    for (const s of segA) (byDir[path.dirname(s)] = byDir[path.dirname(s)] || []).push(s);
    const dirs = Object.values(byDir).sort((x, y) => y.length - x.length);
    if (dirs[0].length >= 2) pairs.push(['two segments of one collection', dirs[0][0], dirs[0][1]]);
    if (dirs.length >= 2) pairs.push(['segments of two collections', dirs[0][0], dirs[1][0]]);
    pairs.push(['a segment and an index', dirs[0][0], rel(f.index[0])]);
    const wals = f.wal.map(rel).sort();
    const walDirs = {};
    for (const w of wals) (walDirs[path.dirname(w)] = walDirs[path.dirname(w)] || []).push(w);
    const walPair = Object.values(walDirs).find(l => l.length >= 2);
    if (walPair) pairs.push(['two WAL files', walPair[0], walPair[1]]);
    pairs.push(['the WAL channels of two collections', ...Object.keys(walDirs).slice(0, 2)]);
    assert.ok(pairs.length >= 4, `swap candidates: ${JSON.stringify(pairs)}`);
    for (const [what, x, y] of pairs) {
      if (!x || !y) continue;
      const outcome = await trial('swap', `swap ${what}: ${x} <-> ${y}`, () => {
        const px = path.join(server.dataDir, x), py = path.join(server.dataDir, y), tmp = px + '.swap';
        fs.renameSync(px, tmp);
        fs.renameSync(py, px);
        fs.renameSync(tmp, py);
      });
      assert.ok(outcome === 'detected' || outcome === 'indexRebuilt', `swap ${what}: ${outcome}`);
    }
  });
});
