/**
 * The flows folder as data: every file parsed and merged, with a way back to file:line for any
 * value. The checker and the compiler both read this; neither touches the disk.
 */
import type { z } from 'zod';
import type { Problem } from './problems.ts';
import type { Config, Contact, FlagDef, Flow, Localized, Resource } from './schema.ts';
import type { Path } from './yaml.ts';

export type ContactDef = z.infer<typeof Contact>;
export type ResourceDef = z.infer<typeof Resource>;
export type FlagDefinition = z.infer<typeof FlagDef>;

export interface Located {
  file: string;
  at(path: Path): { line: number; col: number };
}

export interface FlowModel {
  config: Config;
  configSource: Located;
  flows: Map<string, Flow>;
  flowSources: Map<string, Located>;
  steps: Map<string, Localized>;
  flags: Map<string, FlagDefinition>;
  resources: Map<string, ResourceDef>;
  sources: Map<string, string>;
  /** UI strings by locale. */
  ui: Map<string, Record<string, string>>;
  /** Where each catalog entry was defined: `steps:<id>`, `flags:<id>`, `resources:<id>`, `ui:<locale>`. */
  origins: Map<string, Located>;
  /** Intent ids the understanding data defines. */
  intentIds: Set<string>;
  /** Flag ids the text analyser may emit. */
  textFlagIds: Set<string>;
}

export function problemAt(
  src: Located,
  path: Path,
  message: string,
  severity: Problem['severity'] = 'error',
): Problem {
  const { line, col } = src.at(path);
  return { file: src.file, line, col, message, severity };
}
