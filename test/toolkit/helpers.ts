/**
 * Test helpers for the authoring toolkit: flows folders assembled from fixture layers, with the
 * engine's own vocabulary (UI strings, understanding data, the flag catalog the analyser emits from) copied in from flows/, so a
 * fixture never drifts from the engine it is run by.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures');
export const TOOLKIT_FLOWS = join(FIXTURES, 'toolkit-flows');
export const TOOLKIT_CONVOS = join(TOOLKIT_FLOWS, 'convos');

/** What every flows folder needs from the engine's side, taken from the real flows/. */
const SHARED = ['locales', 'understanding', 'flags'];

export function tempDir(prefix = 'safestep-toolkit-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A flows folder: the shared vocabulary, then each layer copied over the previous ones. */
export function assembleFlows(...layers: string[]): string {
  const dir = tempDir();
  for (const part of SHARED) {
    const from = join(ROOT, 'flows', part);
    if (existsSync(from)) cpSync(from, join(dir, part), { recursive: true });
  }
  for (const layer of layers) {
    for (const name of readdirSync(layer)) {
      if (name === 'convos' || name.endsWith('.md')) continue;
      cpSync(join(layer, name), join(dir, name), { recursive: true });
    }
  }
  return dir;
}

/** Collects printed lines, as a terminal would show them. */
export function collect(): { out: (line: string) => void; lines: string[]; text: () => string } {
  const lines: string[] = [];
  return { out: (l) => lines.push(l), lines, text: () => lines.join('\n') };
}
