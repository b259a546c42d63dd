// A damaged segment file or WAL record is reported (file and offset) and never served: the
// server refuses to start rather than answer with wrong or missing data.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { useServer, assertOk, uniq } from './lib/helpers.mjs';

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
