#!/usr/bin/env node
// `npm start`: builds the web app when its sources are newer than the build, then runs the
// server (TypeScript through tsx) with TZ=UTC so dates never depend on the machine's zone.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const built = path.join(root, 'dist/web/index.html');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

// A .env file beside package.json sets defaults; real environment variables win.
if (fs.existsSync(path.join(root, '.env'))) {
  const fromShell = { ...process.env };
  process.loadEnvFile(path.join(root, '.env'));
  Object.assign(process.env, fromShell);
}

const webSrc = path.join(root, 'src/web');
if (fs.existsSync(webSrc)) {
  const stale = !fs.existsSync(built) || newestMtime(webSrc) > fs.statSync(built).mtimeMs;
  if (stale) {
    console.log('Building the web app…');
    const build = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
}

const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server/main.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TZ: 'UTC' },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));
