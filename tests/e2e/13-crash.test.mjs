// Short run of the journal crash loop (crash/journal_crash_loop.mjs): 3 SIGKILL/restart
// cycles under concurrent insert/delete load; every acknowledged write must survive exactly
// once, no acknowledged delete may come back, indeterminate batches are all-or-nothing.
// Long runs: `node crash/journal_crash_loop.mjs 100` (CRASH_SEED=<n> replays a workload).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function run(args, env, timeoutMs) {
  return new Promise(resolve => {
    const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', d => { stdout += d; });
    child.stderr.on('data', d => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}

it('journal crash loop: 4 SIGKILL/restart cycles keep every acknowledged write exactly once', async () => {
  const r = await run([path.join(here, 'crash', 'journal_crash_loop.mjs'), '4'], {}, 120_000);
  const out = `exit ${r.code} ${r.signal || ''}\n${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 0, `crash loop failed:\n${out}`);
  assert.match(r.stdout, /^4 passed, 0 failed$/m, out);
});

it('negative control: a falsified journal makes the loop report I1 and I2 violations', async () => {
  const r = await run([path.join(here, 'crash', 'journal_crash_loop.mjs'), '1'], { CRASH_NEGATIVE_CONTROL: '1' }, 60_000);
  const out = `exit ${r.code} ${r.signal || ''}\n${r.stdout}\n${r.stderr}`;
  assert.equal(r.code, 1, `the checker must fail on a falsified journal:\n${out}`);
  assert.match(r.stdout, /I1: \d+ acknowledged rows lost/, out);
  assert.match(r.stdout, /I2: \d+ acknowledged deletes resurrected/, out);
  assert.match(r.stdout, /^0 passed, 1 failed$/m, out);
  const kept = r.stdout.match(/data dir kept: (\S+)/);
  if (kept) (await import('node:fs')).rmSync(kept[1], { recursive: true, force: true });
});
