/**
 * Where start-up time goes, for bench/FINDINGS.md:  npx tsx bench/experiments/startup-parts.ts [flowsDir]
 *
 * Prints: the time before this script ran (Node + tsx), importing each heavy dependency, importing
 * the engine, loadBundle, and what a cache of parsed files keyed by their content hash would cost
 * instead of parsing YAML (read + hash + JSON.parse of the same values).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const flowsDir = process.argv[2] ?? './flows';
const ms = (t: number) => `${Math.round(performance.now() - t)} ms`;
const line = (what: string, value: string) => process.stdout.write(`${what.padEnd(48)} ${value}\n`);

line('process start → this script (Node, tsx)', `${Math.round(performance.now())} ms`);
for (const dep of [
  'zod',
  'yaml',
  'xstate',
  'pino',
  'pino-pretty',
  'libphonenumber-js',
  'tldts',
  'prom-client',
]) {
  const t = performance.now();
  await import(dep);
  line(`import ${dep}`, ms(t));
}
let t = performance.now();
const { loadBundle } = await import('../../src/index.ts');
line('import src/index.ts (the rest)', ms(t));
t = performance.now();
await loadBundle(flowsDir);
line('loadBundle (read, parse, check, compile)', ms(t));

const files: string[] = [];
const walk = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.ya?ml$/.test(name)) files.push(path);
  }
};
walk(flowsDir);
const { parseDocument } = await import('yaml');
t = performance.now();
const values = files.map((f) => parseDocument(readFileSync(f, 'utf8'), { uniqueKeys: true }).toJS());
line(`YAML parse of the ${files.length} files (parseDocument)`, ms(t));
const json = JSON.stringify(values);
t = performance.now();
const hash = createHash('sha256');
for (const f of files) hash.update(readFileSync(f));
hash.digest('hex');
line('read + hash the same files', ms(t));
t = performance.now();
JSON.parse(json);
line(`JSON.parse of the same values (${Math.round(json.length / 1024)} KB)`, ms(t));
process.exit(0);
