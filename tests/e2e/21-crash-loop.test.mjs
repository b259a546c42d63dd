// Runs a short crash–restart loop (kill -9 under write load, then every acknowledged write is
// checked); `make crashtest` runs a long one.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

it('acknowledged writes survive 3 SIGKILL/restart cycles', () => {
  const r = spawnSync(process.execPath, [path.join(here, 'crash', 'crash_loop.mjs'), '3'], {
    encoding: 'utf8', timeout: 120_000,
  });
  assert.equal(r.status, 0, `crash loop failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /3 passed, 0 failed/);
});
