/**
 * Reads flows/understanding/*.yaml into the keyword understanding, reporting every problem with
 * file:line:col like the rest of the flows folder: bad shapes (zod), patterns that cannot match,
 * ids defined twice, red-flag phrases whose flag no file in flows/flags/ defines.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RiskLevel } from '../engine/types.ts';
import type { Problem } from '../flow/problems.ts';
import { listYaml, readSource, type SourceFile } from '../flow/sources.ts';
import type { Path } from '../flow/yaml.ts';
import { parseYaml } from '../flow/yaml.ts';
import { createKeywordUnderstanding, TEXT_FLAGS } from './keyword.ts';
import { type Compiled, compilePattern } from './pattern.ts';
import { emptyData, type UnderstandingData, UnderstandingFile } from './schema.ts';
import type { Understanding } from './types.ts';

export interface LoadedUnderstanding {
  understanding: Understanding;
  /** What `understanding` is built from, as plain data: the bundle caches it (src/flow/cache.ts). */
  data: UnderstandingData;
  flagLevels: Map<string, RiskLevel>;
  /** Flow intents and answers: the ids flows may name in `intents:` and `routes:`. */
  intentIds: string[];
  /** Flag ids the analyser may emit: every one must be defined in flows/flags/. */
  flagIds: string[];
  problems: Problem[];
}

type Source = SourceFile<UnderstandingFile>;

export function loadUnderstanding(flowsDir: string): LoadedUnderstanding {
  const problems: Problem[] = [];
  const root = dirname(resolve(flowsDir));
  const data = emptyData();
  const origin = new Map<string, string>();
  // Every pattern compiles once: checked here, reused by the matchers.
  const compiled = new Map<string, Compiled>();
  const report = (src: Source, path: Path, message: string, severity: Problem['severity'] = 'error') => {
    const { line, col } = src.yaml.at(path);
    problems.push({ file: src.file, line, col, severity, message });
  };

  const sources = listYaml(flowsDir, 'understanding')
    .map((path) => readSource(path, UnderstandingFile, problems, root))
    .filter((s): s is Source => s !== undefined);

  for (const src of sources) {
    const v = src.value;
    const claim = (section: string, id: string): boolean => {
      // Intents and answers share one id space: flows name both in routes.
      const space = section === 'answers' ? 'intents' : section;
      const first = origin.get(`${space}:${id}`);
      if (first) {
        report(src, [section, id], `"${id}" is already defined in ${first}`);
        return false;
      }
      origin.set(`${space}:${id}`, `${src.file} (${section})`);
      return true;
    };
    for (const section of ['intents', 'answers'] as const) {
      for (const [id, def] of Object.entries(v[section] ?? {})) {
        if (!claim(section, id)) continue;
        checkPatterns(src, [section, id, 'strong'], def.strong, report, compiled);
        checkPatterns(src, [section, id, 'weak'], def.weak, report, compiled);
        checkPatterns(src, [section, id, 'hint'], def.hint, report, compiled);
        data[section][id] = def;
      }
    }
    for (const [reason, list] of Object.entries(v.danger ?? {})) {
      checkPatterns(src, ['danger', reason], list, report, compiled);
      const key = reason as keyof UnderstandingData['danger'];
      data.danger[key] = [...(data.danger[key] ?? []), ...list];
    }
    checkPatterns(src, ['neutral'], v.neutral ?? [], report, compiled);
    data.neutral.push(...(v.neutral ?? []));
    checkPatterns(src, ['not_danger'], v.not_danger ?? [], report, compiled);
    data.notDanger.push(...(v.not_danger ?? []));
    for (const [id, list] of Object.entries(v.phrases ?? {})) {
      if (!claim('phrases', id)) continue;
      checkPatterns(src, ['phrases', id], list, report, compiled);
      data.phrases[id] = list;
    }
    for (const [brand, domains] of Object.entries(v.brands ?? {})) {
      if (claim('brands', brand)) data.brands[brand] = domains;
    }
    data.shorteners.push(...(v.shorteners ?? []));
    data.riskyCallingCodes.push(...(v.risky_calling_codes ?? []));
  }

  for (const src of sources) {
    for (const [id, def] of Object.entries(src.value.intents ?? {})) {
      (def.outranks ?? []).forEach((other, i) => {
        if (!(other in data.intents))
          report(src, ['intents', id, 'outranks', i], `unknown intent "${other}"`);
      });
    }
  }

  const flagLevels = readFlagLevels(flowsDir);
  for (const src of sources) {
    for (const id of Object.keys(src.value.phrases ?? {})) {
      if (!flagLevels.has(id))
        report(
          src,
          ['phrases', id],
          `flag "${id}" is not defined in flows/flags/ (define it there, or use an existing id)`,
        );
    }
  }

  return {
    understanding: buildUnderstanding(data, flagLevels, compiled),
    data,
    flagLevels,
    intentIds: [...Object.keys(data.intents), ...Object.keys(data.answers)],
    flagIds: [...new Set([...Object.keys(data.phrases), ...TEXT_FLAGS])],
    problems,
  };
}

/** The keyword understanding of merged data; red flags take their level from flows/flags/. */
export function buildUnderstanding(
  data: UnderstandingData,
  flagLevels: ReadonlyMap<string, RiskLevel>,
  compiled: ReadonlyMap<string, Compiled> = new Map(),
): Understanding {
  return createKeywordUnderstanding(data, {
    flagLevel: (id) => flagLevels.get(id) ?? 'medium',
    compile: (pattern) => compiled.get(pattern) ?? compilePattern(pattern),
  });
}

function checkPatterns(
  src: Source,
  path: Path,
  patterns: readonly string[],
  report: (src: Source, path: Path, message: string, severity?: Problem['severity']) => void,
  compiled: Map<string, Compiled>,
): void {
  const seen = new Set<string>();
  patterns.forEach((pattern, i) => {
    const c = compiled.get(pattern) ?? compilePattern(pattern);
    compiled.set(pattern, c);
    if (!c.ok) report(src, [...path, i], c.error);
    else if (seen.has(c.key)) report(src, [...path, i], `"${pattern}" is listed twice`, 'warning');
    else seen.add(c.key);
  });
}

/** Levels of the flags, read leniently: the bundle loader validates flags/ itself. */
function readFlagLevels(flowsDir: string): Map<string, RiskLevel> {
  const levels = new Map<string, RiskLevel>();
  for (const path of listYaml(flowsDir, 'flags')) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    const parsed = parseYaml(path, text).value;
    if (!parsed || typeof parsed !== 'object') continue;
    for (const [id, def] of Object.entries(parsed as Record<string, { level?: RiskLevel } | null>)) {
      levels.set(id, def?.level ?? 'medium');
    }
  }
  return levels;
}
