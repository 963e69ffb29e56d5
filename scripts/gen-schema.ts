/**
 * Regenerates flows/schema.json from src/flow/schema.ts. Run after changing the flow schema:
 *   npx tsx scripts/gen-schema.ts          (writes the file)
 *   npx tsx scripts/gen-schema.ts --check  (exits 1 if the checked-in file is stale)
 * Flow files point at it with their first line:  # yaml-language-server: $schema=./schema.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredLocales, FLOW_SCHEMA_FILE, flowJsonSchemaText } from '../src/toolkit/json-schema.ts';

const root = join(import.meta.dirname, '..');
const target = join(root, FLOW_SCHEMA_FILE);
const fresh = flowJsonSchemaText(declaredLocales(join(root, 'flows')));

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== fresh) {
    console.error(`${FLOW_SCHEMA_FILE} is stale: run npx tsx scripts/gen-schema.ts`);
    process.exit(1);
  }
  console.log(`${FLOW_SCHEMA_FILE} is up to date`);
} else {
  writeFileSync(target, fresh);
  console.log(`wrote ${FLOW_SCHEMA_FILE}`);
}
