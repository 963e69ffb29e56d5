/**
 * `safestep graph FLOW [--format mermaid|dot] [--locale en]`: the flow as a diagram, on stdout.
 * Mermaid renders in GitHub READMEs and pull requests; dot goes to Graphviz (`| dot -Tsvg`).
 */
import { EXIT, flowsDirOf, loadOrReport, type Out, unknownFlow } from '../toolkit/cli-support.ts';
import { type GraphFormat, renderGraph } from '../toolkit/graph.ts';

export interface GraphOptions {
  flowsDir?: string;
  format?: string;
  locale?: string;
}

export async function runGraph(flowId: string, opts: GraphOptions, out: Out): Promise<number> {
  const format = (opts.format ?? 'mermaid') as GraphFormat;
  if (format !== 'mermaid' && format !== 'dot') {
    out(`unknown format "${opts.format}": use mermaid or dot`);
    return EXIT.usage;
  }
  const bundle = await loadOrReport(flowsDirOf(opts.flowsDir), out);
  if (!bundle) return EXIT.failed;
  const flow = bundle.flows.get(flowId);
  if (!flow) return unknownFlow(bundle, flowId, out);
  const locale = opts.locale ?? bundle.config.defaultLocale;
  for (const line of renderGraph(flow, format, locale).trimEnd().split('\n')) out(line);
  return EXIT.ok;
}
