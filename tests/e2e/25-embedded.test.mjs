// The embedded C++ library and the server share one data directory format: the example
// program (examples/embedded_quickstart.cc, linked to libquiver.so) writes a directory, a
// server then serves it to the Node SDK, the SDK adds rows, and the example sees them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QuiverServer, QUIVER_BIN } from './lib/server.mjs';
import { newClient, assertOk } from './lib/helpers.mjs';

const EXAMPLE = path.join(path.dirname(QUIVER_BIN), 'examples', 'quiver_example');

describe('embedded library', { skip: !fs.existsSync(EXAMPLE) && `no ${EXAMPLE}` }, () => {
  it('a directory written in process is served, and server writes are seen in process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-embed-'));
    try {
      const t0 = performance.now();
      const first = execFileSync(EXAMPLE, [dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const elapsed = performance.now() - t0;
      assert.match(first, /^hit id=30 distance=0\.0000 color=red$/m);
      assert.match(first, /^rows=90$/m);
      assert.ok(elapsed < 5000, `example took ${elapsed} ms`);

      const server = await QuiverServer.start({ dataDir: dir });
      try {
        const client = await newClient(server.address);
        const count = await client.query({ collection_name: 'demo', filter: '', output_fields: ['count(*)'] });
        assertOk(count);
        assert.equal(Number(count.data[0]['count(*)']), 90);
        const red = await client.query({ collection_name: 'demo', filter: 'color == "red" and id < 10', output_fields: ['color'] });
        assert.deepEqual(red.data.map(r => Number(r.id)).sort((a, b) => a - b), [0, 3, 6, 9]);
        assertOk(await client.insert({
          collection_name: 'demo',
          data: Array.from({ length: 10 }, (_, i) => ({ id: 1000 + i, vector: [0, 0, 0, i], color: 'green' })),
        }));
        await client.closeConnection();
      } finally {
        await server.stop();
      }
      // Killed or stopped, the directory is unlocked; the example now counts the server's rows too.
      const second = execFileSync(EXAMPLE, [dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      assert.match(second, /^rows=100$/m);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
