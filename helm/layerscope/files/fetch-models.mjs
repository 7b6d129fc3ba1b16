// initContainer for model.source=download: fetch a .tar.gz of a model repository (Triton layout at
// the archive root) into MODEL_DIR, checking MODEL_SHA256 when given. Runs with the server image's
// node and Debian's tar; no credentials are handled here (use a pre-signed URL, or replace the
// command with your object store's CLI and workload identity).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const url = process.env.MODEL_URL ?? '';
const dir = process.env.MODEL_DIR ?? '/models';
const expected = (process.env.MODEL_SHA256 ?? '').toLowerCase();

// Unpack into a staging folder; only a complete, verified archive is moved into place.
const staging = join(dir, `.incoming-${process.pid}`);

function fail(message) {
  rmSync(staging, { recursive: true, force: true });
  process.stderr.write(`fetch-models: ${message}\n`);
  process.exit(1);
}

if (!/^https?:\/\//.test(url)) fail(`MODEL_URL must be an http(s) URL of a .tar.gz, got '${url}'`);
mkdirSync(staging, { recursive: true });

const response = await fetch(url);
if (!response.ok || !response.body) fail(`GET ${url} answered ${response.status}`);

const tar = spawn('tar', ['-xzf', '-', '-C', staging, '--no-same-owner', '--no-same-permissions'], { stdio: ['pipe', 'inherit', 'inherit'] });
const tarDone = new Promise((resolve) => tar.on('close', resolve));
tar.stdin.on('error', () => {}); // tar exiting early is reported by its exit code
const hash = createHash('sha256');
let bytes = 0;
for await (const chunk of response.body) {
  hash.update(chunk);
  bytes += chunk.length;
  if (!tar.stdin.write(chunk)) await new Promise((resolve) => tar.stdin.once('drain', resolve));
}
tar.stdin.end();
const code = await tarDone;
if (code !== 0) fail(`tar exited with ${code} while unpacking ${url}`);

const digest = hash.digest('hex');
if (expected !== '' && digest !== expected) fail(`sha256 of ${url} is ${digest}, expected ${expected}`);
for (const name of readdirSync(staging)) {
  rmSync(join(dir, name), { recursive: true, force: true });
  renameSync(join(staging, name), join(dir, name));
}
rmSync(staging, { recursive: true, force: true });
process.stdout.write(`fetch-models: ${bytes} bytes from ${url} (sha256 ${digest}) into ${dir}: ${readdirSync(dir).join(', ')}\n`);
