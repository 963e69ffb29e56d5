/**
 * Where start-up time goes, for bench/FINDINGS.md:  npx tsx bench/experiments/startup-parts.ts [flowsDir]
 *
 * Prints: the time before this script ran (Node + tsx); importing src/index.ts, i.e. what every
 * start imports; loadBundle without the cache, then from it (each the first call of its kind in
 * this process), and the parts of a load from the cache and of one without it (both warm: after
 * the loads above); last, the libraries a start no longer imports, loaded as they now are on first
 * need (yaml among them: plain flow files are read without it, src/flow/plain-yaml.ts).
 */
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const flowsDir = process.argv[2] ?? './flows';
const ms = (t: number) => `${Math.round(performance.now() - t)} ms`;
const line = (what: string, value: string) => process.stdout.write(`${what.padEnd(56)} ${value}\n`);

line('process start → this script (Node, tsx)', `${Math.round(performance.now())} ms`);
let t = performance.now();
const { loadBundle } = await import('../../src/index.ts');
line('import src/index.ts (everything a start imports)', ms(t));

const cacheDir = mkdtempSync(join(tmpdir(), 'safestep-startup-parts-'));
try {
  t = performance.now();
  const bundle = await loadBundle(flowsDir, { cacheDir });
  line('loadBundle, no cache (read, parse, check, compile, write)', ms(t));
  t = performance.now();
  await loadBundle(flowsDir, { cacheDir });
  line('loadBundle from the cache (warm process)', ms(t));

  const { readFileSync } = await import('node:fs');
  const { cacheKey, readCache, fromCached } = await import('../../src/flow/cache.ts');
  const { listYaml } = await import('../../src/flow/sources.ts');
  const { buildUnderstanding } = await import('../../src/understand/load.ts');
  const { compileMachine } = await import('../../src/flow/compile.ts');
  t = performance.now();
  const files = [
    flowsDir,
    ...['steps', 'flags', 'resources', 'locales', 'understanding'].map((s) => join(flowsDir, s)),
  ]
    .flatMap((d) => listYaml(d))
    .map((path) => ({ name: path, bytes: readFileSync(path) }));
  cacheKey(files);
  line(`  list, read and hash the ${files.length} files and the loader's code`, ms(t));
  t = performance.now();
  const [entry] = (await import('node:fs')).readdirSync(cacheDir);
  const text = readFileSync(join(cacheDir, entry!), 'utf8');
  JSON.parse(text.slice(text.indexOf('\n') + 1));
  line(`  read and parse the entry (${Math.round(text.length / 1024)} KB of JSON)`, ms(t));
  t = performance.now();
  const key = JSON.parse(text.slice(0, text.indexOf('\n'))).key as string;
  const folder = fromCached(readCache(cacheDir, key)!, join(flowsDir, '..'));
  line('  readCache + fromCached (checksum, maps)', ms(t));
  t = performance.now();
  buildUnderstanding(folder.understanding, folder.flagLevels);
  line('  build the understanding (compile every pattern)', ms(t));
  t = performance.now();
  compileMachine(bundle);
  line('  compile the statechart (xstate)', ms(t));

  // The long way, part by part: what an edited folder costs beyond a load from the cache.
  const { parseYaml } = await import('../../src/flow/yaml.ts');
  const { UnderstandingFile } = await import('../../src/understand/schema.ts');
  const schema = await import('../../src/flow/schema.ts');
  const { loadUnderstanding } = await import('../../src/understand/load.ts');
  const { checkModel } = await import('../../src/flow/check.ts');
  const texts = files.map((f) => ({ name: f.name, text: f.bytes.toString('utf8') }));
  t = performance.now();
  const parsed = texts.map((f) => ({ name: f.name, value: parseYaml(f.name, f.text).value }));
  line(`  no cache: parse the ${files.length} files (quick reader)`, ms(t));
  t = performance.now();
  for (const f of parsed) schemaOf(f.name, schema, UnderstandingFile).safeParse(f.value ?? {});
  line('  no cache: validate them (zod)', ms(t));
  t = performance.now();
  loadUnderstanding(flowsDir);
  line('  no cache: understanding (read, check, compile patterns)', ms(t));
  t = performance.now();
  checkModel(bundle);
  line('  no cache: graph checks', ms(t));
  t = performance.now();
  const { parseDocument } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  line('  (for comparison) the yaml library, first use: load it', ms(t));
  t = performance.now();
  for (const f of texts) parseDocument(f.text, { uniqueKeys: true }).toJS();
  line('  (for comparison) the yaml library, first use: parse the files', ms(t));
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}

const require = createRequire(import.meta.url);
// (yaml is there already: the comparison above loaded it.)
for (const dep of ['yaml', 'libphonenumber-js', 'prom-client', 'pino-pretty']) {
  t = performance.now();
  require(dep);
  line(`loaded on first need: ${dep}`, ms(t));
}
process.exit(0);

/** The schema the loader validates a file with, by where the file is. */
function schemaOf(
  name: string,
  s: typeof import('../../src/flow/schema.ts'),
  understanding: import('zod').ZodType,
): import('zod').ZodType {
  if (name.endsWith('safestep.yaml')) return s.Config;
  const folder = /([^/\\]+)[/\\][^/\\]+$/.exec(name)?.[1];
  const byFolder: Record<string, import('zod').ZodType> = {
    steps: s.Steps,
    flags: s.FlagCatalog,
    resources: s.Resources,
    locales: s.UiStrings,
    understanding,
  };
  return (folder && byFolder[folder]) || s.Flow;
}
