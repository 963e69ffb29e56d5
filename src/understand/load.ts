/**
 * Reads flows/understanding/*.yaml into the keyword understanding, reporting every problem with
 * file:line:col like the rest of the flows folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { RiskLevel } from '../engine/types.ts';
import type { Problem } from '../flow/problems.ts';
import { listYaml, readSource } from '../flow/sources.ts';
import { parseYaml } from '../flow/yaml.ts';
import { createKeywordUnderstanding } from './keyword.ts';
import { TEXT_FLAGS, type UnderstandingData, UnderstandingFile } from './schema.ts';
import type { Understanding } from './types.ts';

export interface LoadedUnderstanding {
  understanding: Understanding;
  intentIds: string[];
  /** Flag ids the analyser may emit: every one must be defined in flows/flags/. */
  flagIds: string[];
  problems: Problem[];
}

export function loadUnderstanding(flowsDir: string): LoadedUnderstanding {
  const problems: Problem[] = [];
  const root = dirname(resolve(flowsDir));
  const data: UnderstandingData = {
    intents: {},
    answers: {},
    danger: {},
    phrases: {},
    shorteners: [],
    brands: {},
    riskyCallingCodes: [],
  };
  for (const path of listYaml(flowsDir, 'understanding')) {
    const src = readSource(path, UnderstandingFile, problems, root);
    if (!src) continue;
    const v = src.value;
    const merge = <T>(
      section: 'intents' | 'answers' | 'phrases' | 'brands',
      entries: Record<string, T> | undefined,
    ) => {
      for (const [id, value] of Object.entries(entries ?? {})) {
        const target = data[section] as Record<string, T>;
        if (id in target) {
          const { line, col } = src.yaml.at([section, id]);
          problems.push({
            file: src.file,
            line,
            col,
            severity: 'error',
            message: `${section} id "${id}" is defined twice`,
          });
          continue;
        }
        target[id] = value;
      }
    };
    merge('intents', v.intents);
    merge('answers', v.answers);
    merge('phrases', v.phrases);
    merge('brands', v.brands);
    for (const [reason, list] of Object.entries(v.danger ?? {})) {
      const key = reason as keyof UnderstandingData['danger'];
      data.danger[key] = [...(data.danger[key] ?? []), ...list];
    }
    data.shorteners.push(...(v.shorteners ?? []));
    data.riskyCallingCodes.push(...(v.risky_calling_codes ?? []));
  }
  for (const id of Object.keys(data.intents)) {
    if (id in data.answers)
      problems.push({
        file: join(flowsDir, 'understanding'),
        line: 1,
        col: 1,
        severity: 'error',
        message: `"${id}" is both an intent and an answer`,
      });
  }
  const flagLevels = readFlagLevels(flowsDir);
  return {
    understanding: createKeywordUnderstanding(data, { flagLevel: (id) => flagLevels.get(id) ?? 'medium' }),
    intentIds: [...Object.keys(data.intents), ...Object.keys(data.answers)],
    flagIds: [...new Set([...Object.keys(data.phrases), ...TEXT_FLAGS])],
    problems,
  };
}

/** Levels of the flags the analyser emits, read leniently: the bundle loader validates flags/. */
function readFlagLevels(flowsDir: string): Map<string, RiskLevel> {
  const levels = new Map<string, RiskLevel>();
  for (const path of listYaml(flowsDir, 'flags')) {
    const parsed = parseYaml(path, readFileSync(path, 'utf8'));
    for (const [id, def] of Object.entries((parsed.value ?? {}) as Record<string, { level?: RiskLevel }>)) {
      if (def?.level) levels.set(id, def.level);
    }
  }
  return levels;
}
