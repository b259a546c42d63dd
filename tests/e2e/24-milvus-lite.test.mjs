// The milvus_lite drop-in (python/milvus_lite): the exact contract pymilvus uses for
// MilvusClient("./demo.db") — start_and_get_uri(path) returns a unix URI served by Quiver,
// another process reuses it, data survives the owning process's exit, and the first call is
// answered in under a second.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newClient, QUIVER_BIN_FOR_TESTS } from './lib/lite.mjs';

const PYTHON = process.env.PYTHON || 'python3';
const pkgDir = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../python');
const env = { ...process.env, PYTHONPATH: pkgDir, QUIVER_BIN: QUIVER_BIN_FOR_TESTS };

// Runs python code that opens `db`, prints the URI, then waits for a line on stdin.
function openInPython(db) {
  const code = `
import sys
from milvus_lite.server_manager import server_manager_instance as m
print(m.start_and_get_uri(${JSON.stringify(db)}), flush=True)
sys.stdin.readline()
`;
  const child = spawn(PYTHON, ['-c', code], { env, stdio: ['pipe', 'pipe', 'inherit'] });
  const uri = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', d => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', code => reject(new Error(`python exited ${code}`)));
  });
  return { child, uri, close: () => new Promise(r => { child.once('exit', r); child.stdin.end('\n'); }) };
}

it('MilvusClient("./x.db") contract: start, reuse, persist, restart fast', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lite-'));
  const db = path.join(dir, 'milvus_demo.db');
  try {
    const t0 = Date.now();
    const owner = openInPython(db);
    const uri = await owner.uri;
    assert.match(uri, /^unix:\/.*\.sock$/);
    let client = await newClient(uri);
    assert.ok(Date.now() - t0 < 5000);
    const created = await client.createCollection({ collection_name: 'demo', dimension: 4 });
    assert.equal(created.error_code, 'Success');
    assert.equal((await client.insert({ collection_name: 'demo', data: [{ id: 1, vector: [1, 2, 3, 4] }] })).status.error_code, 'Success');

    // A second process gets the same server.
    const second = spawnSync(PYTHON, ['-c',
      `from milvus_lite.server_manager import server_manager_instance as m; print(m.start_and_get_uri(${JSON.stringify(db)}))`],
    { env, encoding: 'utf8' });
    assert.equal(second.stdout.trim(), uri);
    await client.closeConnection();

    // The owner exits: its server stops; opening again serves the same data.
    await owner.close();
    const t1 = Date.now();
    const again = openInPython(db);
    const uri2 = await again.uri;
    client = await newClient(uri2);
    const n = await client.query({ collection_name: 'demo', output_fields: ['count(*)'] });
    const firstCallMs = Date.now() - t1;
    assert.equal(Number(n.data[0]['count(*)']), 1);
    assert.ok(firstCallMs < 3000, `first call answered after ${firstCallMs} ms`);
    console.log(`# reopen to first answered call: ${firstCallMs} ms`);
    await client.closeConnection();
    await again.close();

    // A missing parent directory fails as pymilvus expects (None).
    const bad = spawnSync(PYTHON, ['-c',
      'from milvus_lite.server_manager import server_manager_instance as m; print(m.start_and_get_uri("/nonexistent/dir/x.db"))'],
    { env, encoding: 'utf8' });
    assert.equal(bad.stdout.trim(), 'None');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
