// Short form of the crash-point loop (crash/crash_point_loop.mjs): the server exits at every
// named crash point once, under mixed load, and after each restart the client journal is checked
// (I1-I7). The negative control turns on a deliberate durability bug and must be reported.
// Long form: `make crashtest` (CRASH_ROUNDS rounds of every point).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runNodeScript } from './lib/helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const loop = path.join(here, 'crash', 'crash_point_loop.mjs');

it('every crash point once: all reached, no invariant violated', { timeout: 420_000 }, async () => {
  const r = await runNodeScript([loop, '1'], {}, 400_000);
  const out = `exit ${r.code} ${r.signal || ''}\n${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `crash-point loop failed:\n${out}`);
  assert.match(r.stdout, /crash points reached (\d+) of \1;/, out);
  assert.match(r.stdout, /^(\d+) passed, 0 failed$/m, out);
});

it('negative control: a flush that skips its manifest commit is reported as loss', { timeout: 120_000 }, async () => {
  // Small WAL files, so the flush's truncation removes whole files behind the uncommitted
  // checkpoint; no drop task and a warm-up, so every flush that reaches the point is one of the
  // journaled collection's, with several WAL files behind it. Recovery then either serves the
  // rows that are left (the journal reports the loss) or, when the checkpoint's own record is
  // gone, refuses to start (records are missing).
  const r = await runNodeScript([loop, '1'], {
    CRASH_UNSAFE: 'flush_skip_manifest', CRASH_POINTS: 'flush.after_wal_truncate', CRASH_WAL_FILE_BYTES: '2048',
    CRASH_DROPS: '0', CRASH_WARMUP_MS: '1000',
  }, 110_000);
  const out = `exit ${r.code} ${r.signal || ''}\n${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 1, `the loop must fail with the unsafe flush:\n${out}`);
  assert.match(r.stdout, /I1: \d+ acknowledged rows lost|records are missing/, out);
  const kept = r.stdout.match(/data dir kept: (\S+)/);
  if (kept) fs.rmSync(kept[1], { recursive: true, force: true });
});
