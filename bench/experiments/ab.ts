/**
 * The evidence behind the design changes proposed in bench/FINDINGS.md, reproducible:
 *
 *   npx tsx bench/experiments/ab.ts [--runs 3] [--commit 27a3520] [--limit]
 *
 * Makes scratch copies of the sources at `commit` (the patches here were written against it) in
 * the temp folder, the baseline and the baseline with this folder's patches applied cumulatively,
 * each with the current bench/, and runs the same benchmark children on each copy in turn, round
 * after round, so the machine's load hits every variant alike. Prints medians. The work tree is
 * never touched. `--limit` also runs the 2,000-people limit benchmark on the baseline and on the
 * send-queue patch (about 3 minutes more).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { median } from '../lib/stats.ts';

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1]! : dflt;
};
const runs = Number(opt('--runs', '3'));
const commit = opt('--commit', '27a3520');
const root = resolve(execFileSync('git', ['rev-parse', '--show-toplevel']).toString().trim());
const here = join(root, 'bench/experiments');
const patches = readdirSync(here)
  .filter((f) => f.endsWith('.patch'))
  .sort();
/** Applied one after another for the A/B rounds; `limit-*` only for the limit benchmark. */
const enginePatches = patches.filter((p) => !p.startsWith('limit-'));
const sendPatch = patches.find((p) => p.startsWith('limit-'));

const tmp = mkdtempSync(join(tmpdir(), 'safestep-ab-'));

function copy(name: string, apply: string[]): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  execFileSync('sh', ['-c', `git -C "${root}" archive ${commit} | tar -x -C "${dir}"`]);
  rmSync(join(dir, 'bench'), { recursive: true, force: true });
  cpSync(join(root, 'bench'), join(dir, 'bench'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  for (const p of apply) {
    const r = spawnSync('patch', ['-p1', '-s', '-i', join(here, p)], { cwd: dir });
    if (r.status !== 0) throw new Error(`${p} does not apply to ${commit}: ${r.stdout}${r.stderr}`);
  }
  return dir;
}

function child<T = Record<string, number>>(dir: string, job: object): T {
  const out = join(dir, 'ab-result.json');
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', 'bin/safestep-bench.js', '--child', JSON.stringify(job), '--out', out],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  if (r.status !== 0) throw new Error(`benchmark child failed in ${dir}:\n${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

try {
  const variants: { name: string; dir: string }[] = [{ name: `baseline (${commit})`, dir: copy('v0', []) }];
  enginePatches.forEach((_, i) => {
    const applied = enginePatches.slice(0, i + 1);
    variants.push({
      name: `+ ${applied.map((p) => p.replace(/\.patch$/, '')).join(' + ')}`,
      dir: copy(`v${i + 1}`, applied),
    });
  });
  const flowsDir = './flows';
  const rows = new Map<string, { engine: number[]; engineCpu: number[]; tput: number[]; p50: number[] }>();
  const wizard: { tput: number[]; p50: number[] } = { tput: [], p50: [] };
  for (let round = 1; round <= runs; round++) {
    // The peer, in the same rounds: what "1.0× WizardScene" means on the machine right now.
    const w = child(variants[0]!.dir, {
      case: 'updates',
      args: { contender: 'wizard', flowsDir: './flows', users: 1000, latencyUsers: 300 },
    });
    wizard.tput.push(w.perSecond!);
    wizard.p50.push(w.p50Us!);
    for (const v of variants) {
      const e = child(v.dir, {
        case: 'engine',
        args: { flowsDir, users: 2000, cycles: 3, concurrency: 100 },
      });
      const u = child(v.dir, {
        case: 'updates',
        args: { contender: 'safestep-memory', flowsDir, users: 1000, latencyUsers: 300 },
      });
      const row = rows.get(v.name) ?? { engine: [], engineCpu: [], tput: [], p50: [] };
      row.engine.push(e.perSecond!);
      row.engineCpu.push(e.cpuUsPerTurn!);
      row.tput.push(u.perSecond!);
      row.p50.push(u.p50Us!);
      rows.set(v.name, row);
      process.stdout.write(
        `round ${round}: ${v.name}: engine ${Math.round(e.perSecond!)}/s, adapter ${Math.round(u.perSecond!)}/s\n`,
      );
    }
  }
  process.stdout.write(
    '\nmedians | engine turns/s | engine CPU µs/turn | adapter (memory) updates/s | adapter p50 µs\n',
  );
  for (const [name, r] of rows) {
    process.stdout.write(
      `${name} | ${Math.round(median(r.engine))} | ${median(r.engineCpu).toFixed(1)} | ${Math.round(median(r.tput))} | ${Math.round(median(r.p50))}\n`,
    );
  }
  if (argv.includes('--limit') && sendPatch) {
    for (const [name, dir] of [
      ['baseline', variants[0]!.dir],
      [sendPatch, copy('send', [sendPatch])],
    ] as const) {
      const r = child<{ firstReply: { max: number; p50: number }; refused429: number; ratio: number }>(dir, {
        case: 'limit',
        args: { flowsDir, users: 2000, impatient: 0.1 },
      });
      process.stdout.write(
        `limit, ${name}: last first reply ${r.firstReply.max.toFixed(1)} s (${r.ratio.toFixed(2)}× the minimum), p50 ${r.firstReply.p50.toFixed(1)} s, ${r.refused429} answers 429\n`,
      );
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
