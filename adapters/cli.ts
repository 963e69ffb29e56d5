/**
 * The `safestep` command. Commands that need a platform client live in adapters/; the rest
 * are implemented in src/cli and only wired here.
 */
import { Command } from 'commander';
import {
  createEngine,
  createLogger,
  formatProblem,
  openStore,
  readConfig,
  validateFlows,
} from '../src/index.ts';
import { loadOrExplain, start } from './main.ts';

const program = new Command()
  .name('safestep')
  .description('SafeStep: a chatbot that coaches a person through a suspected scam to a safe next step.');

program
  .command('start', { isDefault: true })
  .description('run every adapter whose token is set; the terminal chat when none is')
  .action(async () => {
    await start();
  });

program
  .command('chat')
  .description('chat in the terminal, or speak the JSONL line protocol with --jsonl')
  .option('--jsonl', 'one JSON object per line on stdin and stdout')
  .option('--locale <locale>', 'locale hint, e.g. zh-CN')
  .option('--region <region>', 'region hint, e.g. UK')
  .action(async (opts: { jsonl?: boolean; locale?: string; region?: string }) => {
    const config = readConfig();
    const logger = createLogger({ level: config.logLevel ?? 'warn', pretty: Boolean(process.stderr.isTTY) });
    const bundle = await loadOrExplain(config.flowsDir, logger);
    const store = await openStore(config.store);
    const engine = createEngine({
      bundle,
      store,
      logger,
      idleTtlMs: config.idleDays * 86_400_000,
      // Scripts replay whole conversations in bursts: the per-user limit is for live chats.
      rateLimitPerMinute: opts.jsonl ? 0 : config.rateLimitPerMinute,
      ...(config.locale ? { defaultLocale: config.locale } : {}),
      ...(config.region ? { defaultRegion: config.region } : {}),
    });
    if (opts.jsonl) {
      const { runJsonl } = await import('./console/jsonl.ts');
      await runJsonl(engine, process.stdin, process.stdout);
    } else {
      const { runTerminal } = await import('./console/terminal.ts');
      await runTerminal({
        engine,
        ...(opts.locale ? { locale: opts.locale } : {}),
        ...(opts.region ? { region: opts.region } : {}),
      });
    }
    await engine.close();
  });

program
  .command('validate [dir]')
  .description('check a flows folder; one line per problem, non-zero exit on errors')
  .action((dir?: string) => {
    const folder = dir ?? readConfig().flowsDir;
    const problems = validateFlows(folder);
    for (const p of problems) process.stdout.write(`${formatProblem(p)}\n`);
    const errors = problems.filter((p) => p.severity === 'error').length;
    process.stdout.write(errors > 0 ? `${errors} error(s) in ${folder}\n` : `${folder}: OK\n`);
    process.exitCode = errors > 0 ? 1 : 0;
  });

await program.parseAsync(process.argv);
