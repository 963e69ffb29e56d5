/**
 * `npm run bench [-- --only a,b] [-- --quick]`: every benchmark of issue 9 in one run, each
 * measurement in a fresh child process, contenders interleaved round by round so a change in
 * the machine's load hits them all alike. Results merge into bench/results.json (a section not
 * rerun keeps its last figures, with their date) and bench/RESULTS.md is written from it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineResult } from './cases/engine.ts';
import type { LengthResult } from './cases/length.ts';
import type { LimitResult } from './cases/limit.ts';
import type { MemoryResult } from './cases/memory.ts';
import { firstLine, type LoadResult } from './cases/startup.ts';
import type { UpdatesResult } from './cases/updates.ts';
import type { ContenderName } from './contenders/contender.ts';
import { chooseFlows, type FlowsChoice } from './lib/flows.ts';
import { inChild } from './lib/jobs.ts';
import { currentLoad, describeMachine, type Machine } from './lib/machine.ts';
import type { ProfileSummary } from './lib/profile.ts';
import { FULL, type Plan, QUICK, SECTIONS, type Section } from './plan.ts';
import { renderResults } from './report.ts';

/** Where a run writes; a --quick run writes elsewhere, so its figures never replace real ones. */
function outputs(quick: boolean): { json: string; md: string } {
  const dir = quick ? join(tmpdir(), 'safestep-bench-quick') : 'bench';
  mkdirSync(dir, { recursive: true });
  return { json: join(dir, 'results.json'), md: join(dir, 'RESULTS.md') };
}

export interface SectionData {
  updates: {
    runs: Partial<Record<ContenderName, UpdatesResult[]>>;
    profiles: Partial<Record<ContenderName, ProfileSummary>>;
  };
  length: Partial<Record<ContenderName, LengthResult[]>>;
  limit: LimitResult;
  memory: Partial<Record<ContenderName, MemoryResult[]>>;
  startup: { load: LoadResult[]; firstLineMs: number[] };
  engine: { live: EngineResult[]; rehydrate: EngineResult[]; profile?: ProfileSummary };
}

export interface SectionRecord<S extends Section> {
  at: string;
  seconds: number;
  machine: Machine;
  flows: FlowsChoice;
  plan: Plan[S];
  quick: boolean;
  data: SectionData[S];
}

export type Results = { [S in Section]?: SectionRecord<S> };

interface Options {
  only: Section[];
  plan: Plan;
}

export async function main(argv: string[]): Promise<void> {
  const opts = parseOptions(argv);
  if (argv.includes('--render')) {
    // The figures of the last runs, written again (after a change to the report's layout).
    const out = outputs(opts.plan.quick);
    writeFileSync(out.md, renderResults(JSON.parse(readFileSync(out.json, 'utf8'))));
    say(`wrote ${out.md} from ${out.json}`);
    return;
  }
  const flows = await chooseFlows();
  if (flows.note) say(`note: ${flows.note}`);
  const out = outputs(opts.plan.quick);
  const results: Results = existsSync(out.json) ? JSON.parse(readFileSync(out.json, 'utf8')) : {};
  const started = Date.now();
  for (const section of opts.only) {
    const machine = describeMachine();
    const t0 = Date.now();
    say(`\n== ${section}`);
    const data = await RUNNERS[section](opts.plan, flows.dir);
    machine.loadAtEnd = currentLoad();
    const record = {
      at: new Date().toISOString(),
      seconds: (Date.now() - t0) / 1000,
      machine,
      flows,
      plan: opts.plan[section],
      quick: opts.plan.quick,
      data,
    };
    (results as Record<Section, unknown>)[section] = record;
    // Written after every section, so an interrupted run keeps what it measured.
    writeFileSync(out.json, `${JSON.stringify(results, null, 1)}\n`);
    writeFileSync(out.md, renderResults(results));
  }
  say(`\nwrote ${out.md} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

type Runner<S extends Section> = (plan: Plan, flowsDir: string) => Promise<SectionData[S]>;

const RUNNERS: { [S in Section]: Runner<S> } = {
  async updates(plan, flowsDir) {
    const runs: SectionData['updates']['runs'] = {};
    const profiles: SectionData['updates']['profiles'] = {};
    const { users, latencyUsers } = plan.updates;
    for (let round = 1; round <= plan.updates.runs; round++) {
      for (const contender of plan.updates.contenders) {
        const r = await inChild({ case: 'updates', args: { contender, flowsDir, users, latencyUsers } });
        append(runs, contender, r);
        say(
          `  round ${round} ${contender.padEnd(16)} ${fmt(r.perSecond)} updates/s  p50 ${fmt(r.p50Us)} µs  p99 ${fmt(r.p99Us)} µs`,
        );
      }
    }
    for (const contender of plan.updates.profile) {
      const r = await inChild({
        case: 'updates',
        args: { contender, flowsDir, users, latencyUsers, profile: true },
      });
      if (r.profile) profiles[contender] = r.profile;
      say(`  profiled ${contender}`);
    }
    return { runs, profiles };
  },
  async length(plan, flowsDir) {
    const out: SectionData['length'] = {};
    for (let round = 1; round <= plan.length.runs; round++) {
      for (const [contender, users] of Object.entries(plan.length.users) as [ContenderName, number][]) {
        const r = await inChild(
          { case: 'length', args: { contender, flowsDir, users, turns: plan.length.turns } },
          { timeoutMs: 600_000 },
        );
        append(out, contender, r);
        const turns = Object.keys(r.cpuUsPerUpdate).map(Number);
        const first = turns[0]!;
        const last = turns.at(-1)!;
        say(
          `  round ${round} ${contender.padEnd(16)} CPU per update: turn ${first} ${fmt(r.cpuUsPerUpdate[first]!)} µs, turn ${last} ${fmt(r.cpuUsPerUpdate[last]!)} µs`,
        );
      }
    }
    return out;
  },
  async limit(plan, flowsDir) {
    say(`  ${plan.limit.users} people write at once; this takes over a minute by construction`);
    const r = await inChild(
      { case: 'limit', args: { flowsDir, users: plan.limit.users, impatient: plan.limit.impatient } },
      { timeoutMs: 900_000 },
    );
    say(`  last first reply ${r.firstReply.max.toFixed(1)} s (the limit allows ${r.idealFirstReply.max} s)`);
    return r;
  },
  async memory(plan, flowsDir) {
    const out: SectionData['memory'] = {};
    for (const contender of plan.memory.contenders) {
      const r = await inChild({
        case: 'memory',
        args: {
          contender,
          flowsDir,
          conversations: plan.memory.conversations,
          concurrency: plan.memory.concurrency,
        },
      });
      append(out, contender, r);
      say(
        `  ${contender.padEnd(16)} ${fmt(r.rssAboveIdleMB)} MB above idle for ${r.conversations} conversations`,
      );
    }
    return out;
  },
  async startup(plan, flowsDir) {
    const load: LoadResult[] = [];
    const firstLineMs: number[] = [];
    for (let i = 0; i < plan.startup.runs; i++) {
      const r = await inChild({ case: 'load', args: { flowsDir } });
      load.push(r);
      firstLineMs.push(await firstLine(flowsDir));
      say(`  run ${i + 1}: load ${fmt(r.firstLoadMs)} ms, first line ${fmt(firstLineMs.at(-1)!)} ms`);
    }
    return { load, firstLineMs };
  },
  async engine(plan, flowsDir) {
    const live: EngineResult[] = [];
    const rehydrate: EngineResult[] = [];
    const { users, cycles, concurrency } = plan.engine;
    for (let i = 0; i < plan.engine.runs; i++) {
      // One core: the child runs alone, and V8's helper threads are not counted in turns/s.
      live.push(await inChild({ case: 'engine', args: { flowsDir, users, cycles, concurrency } }));
      rehydrate.push(
        await inChild({ case: 'engine', args: { flowsDir, users, cycles, concurrency, liveActors: 0 } }),
      );
      say(
        `  run ${i + 1}: kept decoded ${fmt(live.at(-1)!.perSecond)} turns/s, rehydrating ${fmt(rehydrate.at(-1)!.perSecond)}`,
      );
    }
    const profiled = await inChild({
      case: 'engine',
      args: { flowsDir, users, cycles, concurrency, profile: true },
    });
    say('  profiled the engine');
    return { live, rehydrate, ...(profiled.profile ? { profile: profiled.profile } : {}) };
  },
};

function append<T>(into: Partial<Record<ContenderName, T[]>>, name: ContenderName, value: T): void {
  const list = into[name] ?? [];
  list.push(value);
  into[name] = list;
}

function parseOptions(argv: string[]): Options {
  if (argv.includes('--help') || argv.includes('-h')) {
    say(
      [
        'npm run bench [-- --only <sections>] [-- --quick]',
        `  --only a,b   run only these sections: ${SECTIONS.join(', ')} (others keep their last figures)`,
        '  --quick      tiny sizes, to check the benchmarks themselves work; writes to the temp folder',
        '  --render     measure nothing: write RESULTS.md again from results.json (after a layout change)',
        '  SAFESTEP_BENCH_PROFILE=dir  write CPU profiles of the timed parts (see bench/README.md)',
      ].join('\n'),
    );
    process.exit(0);
  }
  const at = argv.indexOf('--only');
  const only = at >= 0 ? (argv[at + 1] ?? '').split(',').filter(Boolean) : [...SECTIONS];
  for (const s of only) {
    if (!(SECTIONS as readonly string[]).includes(s)) {
      say(`unknown section "${s}"; sections: ${SECTIONS.join(', ')}`);
      process.exit(2);
    }
  }
  return { only: only as Section[], plan: argv.includes('--quick') ? QUICK : FULL };
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}
