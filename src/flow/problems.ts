/**
 * A problem in a flow file, located precisely enough for an author to fix it without reading code.
 * Every check reports problems instead of throwing, so an author sees all of them at once.
 */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

export function formatProblem(p: Problem): string {
  return `${p.file}:${p.line}:${p.col} ${p.severity}: ${p.message}`;
}

/** Raised at boot when flows/ has errors; the bot refuses to start and prints `lines`. */
export class FlowLoadError extends Error {
  override readonly name = 'FlowLoadError';
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}
