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
  StoreUnavailableError,
  validateFlows,
} from '../src/index.ts';
import { engineOptions, loadOrExplain, start } from './main.ts';

const program = new Command()
  .name('safestep')
  .description('SafeStep: a chatbot that coaches a person through a suspected scam to a safe next step.');

program
  .command('start', { isDefault: true })
  .description('run every adapter whose token is set; the terminal chat when none is')
  .action(async () => {
    try {
      await start();
    } catch (err) {
      // A wrong setting is the operator's to fix: say which, without a stack trace.
      if (err instanceof Error && /ConfigError|StoreUrlError/.test(err.name)) {
        process.stderr.write(`SafeStep cannot start: ${err.message}\n`);
        process.exit(1);
      }
      throw err;
    }
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
      ...engineOptions(config),
      // Scripts replay whole conversations in bursts: the per-user limit is for live chats.
      ...(opts.jsonl ? { rateLimitPerMinute: 0 } : {}),
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

program
  .command('purge')
  .description('delete sessions (and their evidence) older than SAFESTEP_RETENTION_DAYS (default 30)')
  .option('--days <days>', 'override the retention period', Number)
  .action(async (opts: { days?: number }) => {
    const config = readConfig();
    const store = await openStore(config.store);
    const days = opts.days ?? config.retentionDays;
    const n = await store.purge(days * 86_400_000);
    process.stdout.write(`purged ${n} session(s) older than ${days} day(s)\n`);
    await store.close();
  });

program
  .command('stats')
  .description('anonymous statistics: conversations by flow, outcomes by level, drop-off, languages, regions')
  .action(async () => {
    const config = readConfig();
    const store = await openStore(config.store);
    const { formatStats } = await import('../src/cli/stats.ts');
    try {
      process.stdout.write(formatStats(await store.counters()));
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      process.stderr.write(
        `cannot read statistics: the store at SAFESTEP_STORE is unreachable (${err.message})\n`,
      );
      process.exitCode = 1;
    }
    await store.close();
  });

program
  .command('eval [corpus...]')
  .description('routing accuracy per flow, confusions and danger recall over a labelled corpus')
  .action(async (corpora: string[]) => {
    const config = readConfig();
    const logger = createLogger({ level: 'warn' });
    const bundle = await loadOrExplain(config.flowsDir, logger);
    const { formatEvalReport, readCorpus, runEval } = await import('../src/cli/eval.ts');
    const files = corpora.length > 0 ? corpora : ['test/corpus/messages.yaml'];
    for (const file of files) {
      const report = await runEval(readCorpus(file), bundle);
      process.stdout.write(`${file}\n${formatEvalReport(report)}\n\n`);
    }
  });

const discord = program.command('discord').description('Discord operations');
discord
  .command('register')
  .description(
    'register the /safestep and /safestep-card slash commands (global, or in one server with --guild)',
  )
  .option('--guild <id>', 'register in this server only (takes effect at once)')
  .action(async (opts: { guild?: string }) => {
    const config = readConfig();
    if (!config.discord?.token || !config.discord.applicationId) {
      process.stderr.write('set DISCORD_BOT_TOKEN and DISCORD_APPLICATION_ID first\n');
      process.exitCode = 2;
      return;
    }
    const bundle = await loadOrExplain(config.flowsDir, createLogger({ level: 'warn' }));
    const { registerCommands } = await import('./discord/commands.ts');
    const n = await registerCommands({
      token: config.discord.token,
      applicationId: config.discord.applicationId,
      ...(config.discord.apiRoot ? { apiRoot: config.discord.apiRoot } : {}),
      ...(opts.guild ? { guildId: opts.guild } : {}),
      bundle,
    });
    process.stdout.write(
      `registered ${n} commands ${opts.guild ? `in server ${opts.guild}` : 'globally (may take up to an hour to appear)'}\n`,
    );
  });

const print = (line: string) => process.stdout.write(`${line}\n`);
const list = (v: string, prev: string[] = []) => [...prev, v];

program
  .command('test [paths...]')
  .description('run scripted conversations (test/flows/*.convo.yml by default)')
  .option('--flows <dir>', 'flows folder')
  .option('--channel <channel>', 'engine (default), terminal, or all')
  .option('-v, --verbose', 'print passing conversations too')
  .action(async (paths: string[], opts: { flows?: string; channel?: string; verbose?: boolean }) => {
    const { runTest } = await import('../src/cli/test.ts');
    process.exitCode = await runTest(
      paths,
      { ...(opts.flows ? { flowsDir: opts.flows } : {}), ...opts },
      print,
    );
  });

program
  .command('coverage [paths...]')
  .description('states and transitions the scripted conversations visit, per flow')
  .option('--flows <dir>', 'flows folder')
  .option('--flow <id>', 'only this flow (repeatable)', list)
  .option('--min <percent>', 'exit non-zero below this transition coverage', Number)
  .option('-v, --verbose', 'explain failing scripts')
  .action(
    async (paths: string[], opts: { flows?: string; flow?: string[]; min?: number; verbose?: boolean }) => {
      const { runCoverage } = await import('../src/cli/coverage.ts');
      process.exitCode = await runCoverage(
        paths,
        { ...(opts.flows ? { flowsDir: opts.flows } : {}), ...opts },
        print,
      );
    },
  );

program
  .command('paths [flow]')
  .description(
    'generated paths through a flow; --uncovered writes skeleton scripts for what no script covers',
  )
  .option('--flows <dir>', 'flows folder')
  .option('--uncovered', 'write skeleton convo files for uncovered paths')
  .option('--out-dir <dir>', 'where skeletons go (default test/flows)')
  .option('--locale <locale>', 'locale of the skeletons')
  .option('--print', 'print skeletons instead of writing them')
  .action(
    async (
      flow: string | undefined,
      opts: { flows?: string; uncovered?: boolean; outDir?: string; locale?: string; print?: boolean },
    ) => {
      const { runPaths } = await import('../src/cli/paths.ts');
      process.exitCode = await runPaths(
        flow,
        { ...(opts.flows ? { flowsDir: opts.flows } : {}), ...opts },
        print,
      );
    },
  );

program
  .command('graph <flow>')
  .description('the flow as a Mermaid state diagram (--format dot for Graphviz)')
  .option('--flows <dir>', 'flows folder')
  .option('--format <format>', 'mermaid (default) or dot')
  .option('--locale <locale>', 'label language')
  .action(async (flow: string, opts: { flows?: string; format?: string; locale?: string }) => {
    const { runGraph } = await import('../src/cli/graph.ts');
    process.exitCode = await runGraph(
      flow,
      { ...(opts.flows ? { flowsDir: opts.flows } : {}), ...opts },
      print,
    );
  });

await program.parseAsync(process.argv);
