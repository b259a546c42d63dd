// A small data disk (a 48 MiB tmpfs, mounted here when the test runs as root; skipped otherwise):
//   1. Free-space watermark: once free space falls under --min-free-bytes, inserts and upserts
//      are refused with Milvus's disk-quota error (code 9, legacy ForceDeny), deletes, queries and
//      searches keep working, and inserts succeed again as soon as space is freed — no restart.
//   2. A really full disk (watermark off): inserts fail with a clean error (code 7, disk limit
//      exceeded), the server keeps serving reads, flush fails without leaving temporary files, and
//      after space is freed and a restart every acknowledged row is there and writes resume.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuiverServer } from './lib/server.mjs';
import { newClient, closeClients, assertOk } from './lib/helpers.mjs';

const MiB = 1 << 20;
const mnt = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-tmpfs-'));
let mounted = false;
try {
  if (process.getuid && process.getuid() === 0) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48m', 'tmpfs', mnt], { stdio: 'ignore' });
    mounted = true;
  }
} catch { /* not allowed here: skipped below */ }

const freeBytes = () => { const s = fs.statfsSync(mnt); return s.bavail * s.bsize; };
const ballast = path.join(mnt, 'ballast');
// Writes a ballast file that leaves about `leave` bytes free (0: fills the disk).
function fillLeaving(leave) {
  const fd = fs.openSync(ballast, 'a');
  const chunk = Buffer.alloc(MiB);
  try {
    while (freeBytes() > leave + chunk.length) fs.writeSync(fd, chunk);
    if (leave === 0) {
      const small = Buffer.alloc(4096);
      for (;;) fs.writeSync(fd, small);   // until ENOSPC
    }
  } catch (err) {
    if (err.code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
}
const rows = (a, b) => Array.from({ length: b - a }, (_, i) => ({ id: a + i, vector: [a + i, 1, 2, 3, 4, 5, 6, 7] }));
const sleep = ms => new Promise(r => setTimeout(r, ms));

describe('disk full', { skip: mounted ? false : 'needs root to mount a tmpfs' }, () => {
  const dataDir = path.join(mnt, 'data');
  const server = new QuiverServer({ dataDir, extraArgs: ['--min-free-bytes', String(16 * MiB)] });
  const clients = [];
  const client = async () => { const c = await newClient(server.address); clients.push(c); return c; };
  const count = async (c, name) => Number((await c.query({ collection_name: name, output_fields: ['count(*)'], consistency_level: 'Strong' })).data[0]['count(*)']);

  before(async () => { await server.start(); });
  after(async () => {
    await closeClients(clients);
    await server.stop();
    if (mounted) execFileSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  });

  it('under the watermark: inserts and upserts refused (code 9), reads and deletes work, writes resume when space returns', async () => {
    const c = await client();
    assertOk(await c.createCollection({ collection_name: 'wm', dimension: 8 }));
    assertOk(await c.insert({ collection_name: 'wm', data: rows(0, 1000) }));
    fillLeaving(12 * MiB);
    await sleep(250);   // free space is probed at most every 100 ms
    const ins = await c.insert({ collection_name: 'wm', data: rows(1000, 1100) });
    assert.equal(ins.status.code, 9, JSON.stringify(ins.status));
    assert.equal(ins.status.error_code, 'ForceDeny');
    assert.match(ins.status.reason, /quota exceeded\[reason=disk quota exceeded/);
    const up = await c.upsert({ collection_name: 'wm', data: rows(0, 10) });
    assert.equal(up.status.code, 9, JSON.stringify(up.status));
    assertOk(await c.delete({ collection_name: 'wm', ids: [1, 2, 3] }), 'delete under the watermark');
    const s = await c.search({ collection_name: 'wm', data: [[5, 1, 2, 3, 4, 5, 6, 7]], limit: 3, consistency_level: 'Strong' });
    assertOk(s, 'search under the watermark');
    assert.equal(Number(s.results[0].id), 5);
    assert.equal(await count(c, 'wm'), 997);
    fs.rmSync(ballast);
    await sleep(250);
    assertOk(await c.insert({ collection_name: 'wm', data: rows(1000, 1100) }), 'insert after space returned (no restart)');
    assert.equal(await count(c, 'wm'), 1097);
  });

  it('a full disk: clean errors (code 7), reads keep working, no temporary files; after a restart all acknowledged rows are there', async () => {
    await closeClients(clients);
    await server.stop();
    server.extraArgs = ['--min-free-bytes', '0'];
    await server.start();
    let c = await client();
    assertOk(await c.createCollection({ collection_name: 'full', dimension: 8 }));
    let acked = 0, next = 0, enospc = 0, enospcFlush = 0;
    for (let i = 0; i < 5; i++, next += 500) {
      assertOk(await c.insert({ collection_name: 'full', data: rows(next, next + 500) }));
      acked += 500;
    }
    fillLeaving(0);
    // Insert until the disk is full: every answer is OK (acknowledged) or a clean error.
    for (let i = 0; i < 50 && !enospc; i++, next += 2000) {
      const res = await c.insert({ collection_name: 'full', data: rows(next, next + 2000) });
      if (res.status.error_code === 'Success') { acked += 2000; continue; }
      assert.equal(res.status.code, 7, JSON.stringify(res.status));
      assert.match(res.status.reason, /disk full/);
      enospc++;
    }
    assert.equal(enospc, 1, 'the disk filled up');
    assert.ok(server.running, 'no crash');
    // Flush writes a segment object: on a full disk it fails cleanly (the WAL keeps the rows).
    const flush = await c.flush({ collection_names: ['full'] });
    assert.equal(flush.status.code, 7, JSON.stringify(flush.status));
    if (flush.status.code === 7) enospcFlush++;
    const leftovers = [];
    const walk = d => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (e.name.startsWith('.tmp-')) leftovers.push(p); } };
    walk(path.join(dataDir, 'objects'));
    assert.deepEqual(leftovers, [], 'a failed put leaves no temporary file');
    const s = await c.search({ collection_name: 'full', data: [[7, 1, 2, 3, 4, 5, 6, 7]], limit: 1, consistency_level: 'Strong' });
    assertOk(s, 'search on a full disk');
    assert.equal(Number(s.results[0].id), 7);
    assert.equal(await count(c, 'full'), acked);
    fs.rmSync(ballast);
    await closeClients(clients);
    await server.stop();
    await server.start();
    c = await client();
    assert.equal(await count(c, 'full'), acked, 'every acknowledged row after the restart');
    assertOk(await c.insert({ collection_name: 'full', data: rows(next, next + 100) }), 'writes resume');
    assert.equal(await count(c, 'full'), acked + 100);
    console.log(`disk full: ENOSPC hit ${enospc} time(s) on insert and ${enospcFlush} on flush, ${acked} acknowledged rows kept, 0 crashes, writes resumed after a restart`);
  });
});
