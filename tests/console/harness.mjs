// What the console tests share: a real `strata serve` (STRATA_BIN, else target/debug/strata)
// on port 0 with its admin listener on port 0, and headless Chromium (Debian's `chromium`, or
// CHROMIUM_BIN) driven by playwright-core.

import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const ACCESS_KEY = 'AKIDCONSOLETEST00001';
export const SECRET_KEY = 'console-test-secret-key-0001';

/** Starts a server; resolves with { admin, data, stop }. */
export async function startStrata() {
  const bin = process.env.STRATA_BIN
    ? path.resolve(ROOT, process.env.STRATA_BIN)
    : path.join(ROOT, 'target', 'debug', 'strata');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'strata-console-'));
  const child = spawn(bin, [
    'serve', '--data-dir', dir, '--listen', '127.0.0.1:0', '--admin-listen', '127.0.0.1:0',
    '--access-key', ACCESS_KEY, '--secret-key', SECRET_KEY,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const addrs = await new Promise((resolve, reject) => {
    let out = '';
    let admin = null;
    const timer = setTimeout(() => reject(new Error(`strata did not start:\n${out}\n${stderr}`)), 30000);
    child.on('exit', (code) => reject(new Error(`strata exited (${code}):\n${stderr}`)));
    child.stdout.on('data', (d) => {
      out += d;
      const a = out.match(/strata admin listening on (http:\/\/\S+)/);
      if (a) admin = a[1];
      const m = out.match(/strata listening on (http:\/\/\S+)/);
      if (m && admin) {
        clearTimeout(timer);
        resolve({ admin, data: m[1] });
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    ...addrs,
    stop() {
      child.kill('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function chromiumPath() {
  if (process.env.CHROMIUM_BIN) return process.env.CHROMIUM_BIN;
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`]).toString().trim();
    } catch { /* next */ }
  }
  throw new Error('no chromium on PATH (apt-get install chromium, or set CHROMIUM_BIN)');
}

export async function launch() {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'], headless: true });
}

/** Resolves after the wall clock has passed the start of the next second, twice over. */
export async function nextSecond() {
  const ms = 1000 - (Date.now() % 1000) + 150;
  await new Promise((r) => setTimeout(r, ms));
}
