import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  declaredLocales,
  FLOW_SCHEMA_FILE,
  flowJsonSchema,
  flowJsonSchemaText,
} from '../../src/toolkit/json-schema.ts';
import { ROOT } from './helpers.ts';

const FLOWS = join(ROOT, 'flows');

describe('flows/schema.json (editor support)', () => {
  it('is exactly what scripts/gen-schema.ts generates from src/flow/schema.ts', () => {
    const checkedIn = readFileSync(join(ROOT, FLOW_SCHEMA_FILE), 'utf8');
    // If this fails: npx tsx scripts/gen-schema.ts, and commit flows/schema.json.
    expect(checkedIn).toBe(flowJsonSchemaText(declaredLocales(FLOWS)));
  });

  it('requires every declared locale in texts and helps with hover text', () => {
    const schema = flowJsonSchema(['en', 'zh-CN']) as {
      required: string[];
      properties: Record<
        string,
        { description?: string; properties?: Record<string, unknown>; required?: string[] }
      >;
      additionalProperties: boolean;
    };
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'title', 'start', 'states']));
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.title!.required).toEqual(['en', 'zh-CN']);
    expect(schema.properties.start!.description).toMatch(/state the flow opens in/);
    const text = flowJsonSchemaText(['en', 'zh-CN']);
    expect(text).toContain('"$ref": "#/definitions/Guard"');
    expect(text).not.toContain('__schema');
  });

  it('is referenced by the first line of every flow file', () => {
    const notFlows = new Set(['safestep.yaml']);
    const files = readdirSync(FLOWS).filter((f) => /\.ya?ml$/.test(f) && !notFlows.has(f));
    const missing = files.filter(
      (f) =>
        !readFileSync(join(FLOWS, f), 'utf8').startsWith('# yaml-language-server: $schema=./schema.json'),
    );
    expect(missing).toEqual([]);
  });
});
