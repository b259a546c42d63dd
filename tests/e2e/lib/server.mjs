// Test harness: runs one Quiver server process per test file.
//
//   const server = await QuiverServer.start();
//   server.address      // "127.0.0.1:<port>"
//   await server.kill(); await server.restart();   // same data dir, same port
//   await server.stop(); server.cleanup();
//
// The binary is <repo>/build/quiver unless QUIVER_BIN is set. It is started as
// `quiver serve --data <dir> --port <port>`; the server is considered ready once
// the TCP port accepts connections (it also logs a "serving" line to stderr).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '../../..');
export const QUIVER_BIN = process.env.QUIVER_BIN || path.join(REPO_ROOT, 'build', 'quiver');

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;
const MAX_LOG_CHARS = 256 * 1024;

// Every server process started by this module, so that none outlives the test run.
const live = new Set();
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port, host = '127.0.0.1') {
  return new Promise(resolve => {
    const sock = net.connect({ port, host });
    const done = ok => { sock.destroy(); resolve(ok); };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

export class QuiverServer {
  constructor({ bin = QUIVER_BIN, dataDir, port, extraArgs = [], maxLogChars = MAX_LOG_CHARS } = {}) {
    this.bin = bin;
    this.maxLogChars = maxLogChars;
    this.ownsDataDir = !dataDir;
    this.dataDir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-e2e-'));
    this.port = port;
    this.extraArgs = extraArgs;
    this.child = null;
    this.exitInfo = null;
    this.logText = '';
    this.starts = 0;
  }

  static async start(opts = {}) {
    const server = new QuiverServer(opts);
    try {
      await server.start();
    } catch (err) {
      server.cleanup();
      throw err;
    }
    return server;
  }

  get address() {
    return `127.0.0.1:${this.port}`;
  }

  get running() {
    return this.child !== null && this.exitInfo === null;
  }

  /** Server output (stdout and stderr interleaved) since the first start. */
  logs() {
    return this.logText;
  }

  appendLog(chunk) {
    this.logText += chunk.toString();
    if (this.logText.length > this.maxLogChars) {
      this.logText = this.logText.slice(-this.maxLogChars);
    }
  }

  async start() {
    if (this.running) throw new Error('quiver server already running');
    if (!fs.existsSync(this.bin)) {
      throw new Error(`quiver binary not found at ${this.bin} (build it, or set QUIVER_BIN)`);
    }
    if (!this.port) this.port = await freePort();
    this.starts += 1;
    this.appendLog(`\n--- start #${this.starts}: ${this.bin} serve --data ${this.dataDir} --port ${this.port}\n`);

    const child = spawn(this.bin, ['serve', '--data', this.dataDir, '--port', String(this.port), ...this.extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exitInfo = null;
    live.add(child);
    let sawServing = false;
    child.stdout.on('data', d => this.appendLog(d));
    child.stderr.on('data', d => {
      this.appendLog(d);
      if (/serving/i.test(d.toString())) sawServing = true;
    });
    this.exited = new Promise(resolve => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exitInfo = { code, signal };
        this.appendLog(`--- exited: code=${code} signal=${signal}\n`);
        resolve(this.exitInfo);
      });
      child.once('error', err => {
        live.delete(child);
        this.exitInfo = { code: null, signal: null, error: err };
        this.appendLog(`--- spawn error: ${err.message}\n`);
        resolve(this.exitInfo);
      });
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exitInfo) {
        throw new Error(`quiver exited before becoming ready (code=${this.exitInfo.code}, signal=${this.exitInfo.signal}).\n` +
          `Server output:\n${this.logText}`);
      }
      if (await canConnect(this.port)) {
        // Give the "serving" line a brief chance to appear (the port check is authoritative).
        for (let i = 0; i < 10 && !sawServing && !this.exitInfo; i++) await sleep(20);
        if (this.exitInfo) continue;
        return this;
      }
      await sleep(50);
    }
    child.kill('SIGKILL');
    await this.exited;
    throw new Error(`quiver did not accept connections on port ${this.port} within ${READY_TIMEOUT_MS} ms.\n` +
      `Server output:\n${this.logText}`);
  }

  /** SIGTERM and wait for exit; SIGKILL after a timeout. Returns {code, signal, timedOut}. */
  async stop({ timeoutMs = STOP_TIMEOUT_MS } = {}) {
    if (!this.child || this.exitInfo) return { ...(this.exitInfo || {}), timedOut: false };
    this.child.kill('SIGTERM');
    const timer = sleep(timeoutMs).then(() => 'timeout');
    const winner = await Promise.race([this.exited, timer]);
    if (winner === 'timeout') {
      this.child.kill('SIGKILL');
      const info = await this.exited;
      return { ...info, timedOut: true };
    }
    return { ...winner, timedOut: false };
  }

  /** SIGKILL (simulated crash) and wait for exit. */
  async kill() {
    if (!this.child || this.exitInfo) return this.exitInfo;
    this.child.kill('SIGKILL');
    return this.exited;
  }

  /** Start again with the same data dir and port (stops the server first if it is running). */
  async restart() {
    if (this.running) await this.stop();
    await this.start();
    return this;
  }

  cleanup() {
    if (this.running) {
      try { this.child.kill('SIGKILL'); } catch { /* gone */ }
    }
    if (this.ownsDataDir && !process.env.QUIVER_E2E_KEEP_DATA) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}
