/**
 * results.json → RESULTS.md. Every figure is a median over runs with its range; ratios are taken
 * against the peers measured in the same run. Nothing here is written by hand.
 */
import { type ContenderName, LABELS } from './contenders/contender.ts';
import type { Machine } from './lib/machine.ts';
import type { ProfileSummary } from './lib/profile.ts';
import { median, type Summary, summarize } from './lib/stats.ts';
import type { Results, SectionRecord } from './main.ts';
import { SECTIONS, type Section } from './plan.ts';

type Verdict = 'met' | 'missed' | 'not measured';
interface Target {
  item: string;
  target: string;
  measured: string;
  verdict: Verdict;
}

export function renderResults(results: Results): string {
  const targets: Target[] = [];
  const body: string[] = [];
  for (const section of SECTIONS) {
    const record = results[section];
    body.push(...renderSection(section, record as never, targets));
  }
  return [
    '# SafeStep benchmarks',
    '',
    '> Written by `npm run bench` (bench/main.ts) from bench/results.json. Do not edit: rerun the',
    '> command (`npm run bench -- --only limit` reruns one section). Method: bench/README.md; the',
    '> causes of the misses and the changes that fix them, measured: bench/FINDINGS.md.',
    '',
    ...renderMachines(results),
    '## Targets (issue 9)',
    '',
    '| | target | measured (median) | |',
    '| --- | --- | --- | --- |',
    ...targets.map((t) => `| ${t.item} | ${t.target} | ${t.measured} | ${mark(t.verdict)} |`),
    '',
    ...body,
  ].join('\n');
}

function mark(v: Verdict): string {
  return v === 'met' ? 'met' : v === 'missed' ? '**missed**' : 'not measured';
}

function renderMachines(results: Results): string[] {
  const records = SECTIONS.map((s) => [s, results[s]] as const).filter(([, r]) => r !== undefined);
  if (records.length === 0) return ['Nothing measured yet.', ''];
  const latest = records.map(([, r]) => r!).sort((a, b) => b.at.localeCompare(a.at))[0]!;
  const m = latest.machine;
  const lines = [
    '## Machine',
    '',
    `- CPU: ${m.cpu}, ${m.cores} cores; memory ${m.memoryGiB.toFixed(1)} GiB; Node.js ${m.node} (${m.platform})`,
    `- flows measured: \`${latest.flows.dir}\`${latest.flows.note ? ` (${latest.flows.note})` : ''}`,
    '- load average (1 min) while each section ran, and when it ran (other work on the machine inflates times; ratios between contenders of one section hold better):',
    '',
    '| section | ran at | took | load at start → end | machine |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const [s, r] of records) {
    const same = sameMachine(r!.machine, m)
      ? 'same'
      : `${r!.machine.cpu}, ${r!.machine.cores} cores, ${r!.machine.node}`;
    lines.push(
      `| ${s}${r!.quick ? ' (quick: not comparable)' : ''} | ${r!.at.slice(0, 16).replace('T', ' ')} UTC | ${r!.seconds.toFixed(0)} s | ${r!.machine.loadAtStart.toFixed(1)} → ${(r!.machine.loadAtEnd ?? Number.NaN).toFixed(1)} | ${same} |`,
    );
  }
  lines.push('');
  return lines;
}

function sameMachine(a: Machine, b: Machine): boolean {
  return a.cpu === b.cpu && a.cores === b.cores && a.node === b.node;
}

function renderSection(
  section: Section,
  record: SectionRecord<Section> | undefined,
  targets: Target[],
): string[] {
  switch (section) {
    case 'updates':
      return updates(record as SectionRecord<'updates'> | undefined, targets);
    case 'length':
      return length(record as SectionRecord<'length'> | undefined, targets);
    case 'limit':
      return limit(record as SectionRecord<'limit'> | undefined, targets);
    case 'memory':
      return memory(record as SectionRecord<'memory'> | undefined, targets);
    case 'startup':
      return startup(record as SectionRecord<'startup'> | undefined, targets);
    case 'engine':
      return engine(record as SectionRecord<'engine'> | undefined, targets);
  }
}

// ---------- formatting ----------

export function num(n: number, digits?: number): string {
  if (!Number.isFinite(n)) return '–';
  if (digits === 0) return Math.round(n).toLocaleString('en-US');
  if (digits !== undefined) return n.toFixed(digits);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** `median (min–max, ±spread)` */
function withNoise(s: Summary, digits?: number): string {
  if (s.runs <= 1) return num(s.median, digits);
  return `${num(s.median, digits)} <sub>(${num(s.min, digits)}–${num(s.max, digits)}, ±${Math.round((s.spread * 100) / 2)}%)</sub>`;
}

function runs(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function ratio(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(2)}×` : '–';
}

function verdict(ok: boolean | undefined): Verdict {
  return ok === undefined ? 'not measured' : ok ? 'met' : 'missed';
}

/** A section never measured: its targets are listed anyway, as not measured. */
function missing(title: string, targets: Target[], rows: [string, string][]): string[] {
  const n = title.split(' ')[0];
  for (const [what, target] of rows)
    targets.push({ item: `${n} ${what}`, target, measured: '–', verdict: 'not measured' });
  return [`## ${title}`, '', 'Not measured yet: run `npm run bench`.', ''];
}

const pick = <T>(xs: readonly T[] | undefined, f: (x: T) => number): Summary => summarize((xs ?? []).map(f));

// ---------- 1. updates ----------

function updates(rec: SectionRecord<'updates'> | undefined, targets: Target[]): string[] {
  const title = '1. Per-update cost through telegraf';
  if (!rec) {
    return missing(title, targets, [
      ['SafeStep-memory vs WizardScene throughput', '≥ 1.0×'],
      ['SafeStep-SQLite vs WizardScene-memory throughput', '≥ 0.8×'],
    ]);
  }
  const d = rec.data.runs;
  const wizard = median((d.wizard ?? []).map((r) => r.perSecond));
  const rows: string[] = [];
  for (const [name, runs] of Object.entries(d) as [ContenderName, NonNullable<(typeof d)[ContenderName]>][]) {
    const tput = pick(runs, (r) => r.perSecond);
    rows.push(
      `| ${LABELS[name]} | ${withNoise(tput)} | ${ratio(tput.median / wizard)} | ${withNoise(pick(runs, (r) => r.cpuUsPerUpdate))} | ${withNoise(pick(runs, (r) => r.p50Us))} | ${withNoise(pick(runs, (r) => r.p99Us))} | ${num(median(runs.map((r) => r.apiCallsPerUpdate)))} | ${num(median(runs.map((r) => r.storedBytesP50)), 0)} |`,
    );
  }
  const perRound = (name: ContenderName) =>
    summarize((d[name] ?? []).map((r, i) => r.perSecond / (d.wizard?.[i]?.perSecond ?? Number.NaN)));
  // The same ratio from CPU time per update, which other work on the machine disturbs less.
  const byCpu = (name: ContenderName) =>
    median((d.wizard ?? []).map((r) => r.cpuUsPerUpdate)) /
    median((d[name] ?? []).map((r) => r.cpuUsPerUpdate));
  const mem = perRound('safestep-memory');
  const sql = perRound('safestep-sqlite');
  targets.push(
    {
      item: '1. SafeStep (memory store) throughput vs telegraf WizardScene + session',
      target: '≥ 1.0×',
      measured: `${ratio(mem.median)} (rounds ${ratio(mem.min)}–${ratio(mem.max)}; by CPU time ${ratio(byCpu('safestep-memory'))})`,
      verdict: verdict(Number.isFinite(mem.median) ? mem.median >= 1 : undefined),
    },
    {
      item: '1. SafeStep (SQLite) throughput vs WizardScene (memory)',
      target: '≥ 0.8×',
      measured: `${ratio(sql.median)} (rounds ${ratio(sql.min)}–${ratio(sql.max)}; by CPU time ${ratio(byCpu('safestep-sqlite'))})`,
      verdict: verdict(Number.isFinite(sql.median) ? sql.median >= 0.8 : undefined),
    },
  );
  const positions = (Object.entries(d) as [ContenderName, NonNullable<(typeof d)[ContenderName]>][]).map(
    ([name, runs]) =>
      `| ${LABELS[name]} | ${runs[0]!.p50ByTurnUs.map((_, i) => num(median(runs.map((r) => r.p50ByTurnUs[i]!)))).join(' | ')} |`,
  );
  return [
    `## ${title}`,
    '',
    `${rec.plan.users.toLocaleString('en-US')} people, each holding the same 5-step conversation (/start, then four answers by button, ending on an outcome), through each bot's \`handleUpdate\` with botInfo preset. The Bot API is stubbed at the transport for every contender alike: node-fetch, which telegraf and grammY both call, answers at once (bench/lib/stub-api.ts). SafeStep runs its real Telegram adapter (adapters/telegram) and engine, started in webhook mode on a stand-in HTTP server; the benchmark calls \`bot.handleUpdate\` on the adapter's own telegraf bot, as for the peers; its send limits are lifted here (section 3 measures them). Throughput: each turn's ${rec.plan.users.toLocaleString('en-US')} updates handled concurrently. p50/p99: the same conversation for another ${(rec.plan.latencyUsers ?? rec.plan.users).toLocaleString('en-US')} people, one update in flight at a time, so a turn's time is its own cost. Each contender runs in its own fresh process, after a warm-up conversation of ${(rec.plan.latencyUsers ?? rec.plan.users).toLocaleString('en-US')} people; ${runs(rec.plan.runs, 'round')}, contenders interleaved; median <sub>(min–max, ±half the spread)</sub>.`,
    '',
    '| contender | updates/s | × WizardScene | CPU µs/update | p50 µs/turn | p99 µs/turn | API calls/update | bytes kept per conversation |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'p50 µs by step of the conversation (1 = /start, 5 = the answer that reaches the outcome):',
    '',
    '| contender | 1 | 2 | 3 | 4 | 5 |',
    '| --- | --- | --- | --- | --- | --- |',
    ...positions,
    '',
    ...(Object.keys(rec.data.profiles).length > 0
      ? [
          'Where the time goes: CPU profile of the throughput pass (one extra run under the sampling profiler, share of self time):',
          '',
          ...profileTables(rec.data.profiles as Record<string, ProfileSummary>),
        ]
      : []),
  ];
}

/** Side by side: areas of the code, then the busiest functions, for each profiled contender. */
function profileTables(profiles: Record<string, ProfileSummary>): string[] {
  const names = Object.keys(profiles);
  const areas = [...new Set(names.flatMap((n) => profiles[n]!.areas.map((a) => a.area)))];
  const share = (n: string, area: string) => profiles[n]!.areas.find((a) => a.area === area)?.pct ?? 0;
  areas.sort(
    (a, b) => Math.max(...names.map((n) => share(n, b))) - Math.max(...names.map((n) => share(n, a))),
  );
  const label = (n: string) => LABELS[n as ContenderName] ?? n;
  const out = [
    `| part of the code | ${names.map(label).join(' | ')} |`,
    `| --- | ${names.map(() => '---').join(' | ')} |`,
    ...areas.map((a) => `| ${a} | ${names.map((n) => `${num(share(n, a), 1)}%`).join(' | ')} |`),
    '',
  ];
  for (const n of names) {
    out.push(
      `Busiest functions, ${label(n)}: ${profiles[n]!.top.slice(0, 10)
        .map((f) => `\`${f.fn}\` ${f.where} ${num(f.pct, 1)}%`)
        .join('; ')}.`,
      '',
    );
  }
  return out;
}

// ---------- 2. length ----------

function length(rec: SectionRecord<'length'> | undefined, targets: Target[]): string[] {
  const title = '2. Flat with conversation length';
  if (!rec) return missing(title, targets, [['SafeStep turn 200 vs turn 5', '≤ 1.1×']]);
  const d = rec.data;
  const rows: string[] = [];
  let turns: number[] = [];
  for (const [name, runs] of Object.entries(d) as [ContenderName, NonNullable<(typeof d)[ContenderName]>][]) {
    turns = Object.keys(runs[0]!.cpuUsPerUpdate).map(Number);
    const first = turns[0]!;
    const last = turns.at(-1)!;
    // Turn 10 is the first to follow the path every later cycle follows (see cases/length.ts).
    const second = turns.includes(10) && last > 10 ? 10 : first;
    const growth = pick(runs, (r) => r.cpuUsPerUpdate[last]! / r.cpuUsPerUpdate[first]!);
    const sameGrowth = pick(runs, (r) => r.cpuUsPerUpdate[last]! / r.cpuUsPerUpdate[second]!);
    const wallGrowth = pick(runs, (r) => r.usPerUpdate[last]! / r.usPerUpdate[second]!);
    rows.push(
      `| ${LABELS[name]} | ${runs[0]!.users} | ${turns.map((t) => num(median(runs.map((r) => r.cpuUsPerUpdate[t]!)))).join(' | ')} | ${withNoise(growth, 2)} | ${withNoise(sameGrowth, 2)} | ${withNoise(wallGrowth, 2)} | ${num(median(runs.map((r) => r.storedBytes[first]!)), 0)} → ${num(median(runs.map((r) => r.storedBytes[last]!)), 0)} |`,
    );
    if (name.startsWith('safestep')) {
      targets.push({
        item: `2. ${LABELS[name]}: turn ${last} vs turn ${first}`,
        target: '≤ 1.1×',
        measured: `${ratio(growth.median)} (rounds ${ratio(growth.min)}–${ratio(growth.max)}); vs turn ${second}, the same path: ${ratio(sameGrowth.median)}`,
        verdict: verdict(Math.max(growth.median, sameGrowth.median) <= 1.1),
      });
    }
  }
  const first = turns[0];
  const last = turns.at(-1);
  return [
    `## ${title}`,
    '',
    `Each person holds ONE conversation of ${rec.plan.turns} turns: the 5-step script in cycles, where /start begins it again inside the same conversation (the WizardScene goes back to its first step, grammY's conversation loops, SafeStep restarts the flow in the same session). Turns ${turns.join(', ')} are all the same step of the script (the answer reaching the outcome). In SafeStep, turn 5 also answers where the person is (asked once, then remembered), so from turn 10 on every cycle takes the same path: turn ${last} / turn 10 compares like with like, turn ${last} / turn ${first} is the target as written (the target counts as met when both are within it). Turns are driven for everyone at once, except the sampled ones: there, after a full collection, each person's update is handled alone, and the median CPU time of those updates is the cost of an update at that turn; a sample pools the turn with the same step of the two cycles before it (turns 10, 15 and 20 for turn 10), so one busy moment on the machine cannot move it alone (CPU time, because elapsed time on a shared machine moves with the neighbours' work; the elapsed-time ratio is shown too). Fewer people for grammY: it replays the whole conversation on every update, so more would take minutes. ${runs(rec.plan.runs, 'round')}; median <sub>(min–max)</sub>.`,
    '',
    `| contender | people | ${turns.map((t) => `CPU µs/update, turn ${t}`).join(' | ')} | turn ${last} / turn ${first} | turn ${last} / turn 10 | (elapsed, / turn 10) | bytes kept, turn ${first} → ${last} |`,
    `| --- | --- | ${turns.map(() => '---').join(' | ')} | --- | --- | --- | --- |`,
    ...rows,
    '',
  ];
}

// ---------- 3. limit ----------

function limit(rec: SectionRecord<'limit'> | undefined, targets: Target[]): string[] {
  const title = '3. The platform limit: 2,000 people at once';
  if (!rec) {
    return missing(title, targets, [
      ['every reply delivered once, in order', 'none lost, duplicated or reordered'],
      ['last first reply vs the minimum the limit allows', '≤ 1.1×'],
    ]);
  }
  const r = rec.data;
  const intact = r.withoutFirstReply === 0 && r.lost === 0 && r.duplicated === 0 && r.outOfOrder === 0;
  targets.push(
    {
      item: '3. every first reply delivered; no reply lost or duplicated; each person’s replies in order',
      target: 'all',
      measured: `${r.users - r.withoutFirstReply}/${r.users} first replies; ${r.lost} lost, ${r.duplicated} duplicated, ${r.outOfOrder} out of order`,
      verdict: verdict(intact),
    },
    {
      item: '3. last first reply vs the minimum the limit allows',
      target: '≤ 1.1×',
      measured: `${num(r.firstReply.max, 1)} s vs ${r.idealFirstReply.max} s = ${ratio(r.ratio)}`,
      verdict: verdict(r.ratio <= 1.1),
    },
  );
  const buckets = (xs: number[]) => {
    const out: number[] = [];
    xs.forEach((n, i) => {
      out[Math.floor(i / 5)] = (out[Math.floor(i / 5)] ?? 0) + n;
    });
    return out;
  };
  const acc = buckets(r.acceptedPerSecond);
  const ref = buckets(r.refusedPerSecond);
  const spans = Math.max(acc.length, ref.length);
  return [
    `## ${title}`,
    '',
    `SafeStep as an operator runs it: \`node bin/safestep.js start\` with TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT pointing at a local Bot API on 127.0.0.1 (bench/lib/limited-bot-api.ts), SQLite store, long polling. The fake enforces Telegram's published limits: at most 30 new messages in any rolling second for the bot, one a second per private chat; beyond them it answers 429 with retry_after and sends nothing. ${r.users.toLocaleString('en-US')} people write /start at the same moment; ${r.impatientUsers} of them (one in ${Math.round(r.users / r.impatientUsers)}) also type a second message straight away. Expected replies are computed by the same engine and renderer beforehand; every chat's accepted messages are compared with them, text by text. The earliest the limit allows the last of ${r.users.toLocaleString('en-US')} first replies is ${r.idealFirstReply.max} s (30 a second). One run (it takes over a minute by construction; \`npm run bench -- --only limit\` reruns it alone).`,
    '',
    '| | |',
    '| --- | --- |',
    `| first replies delivered | ${r.users - r.withoutFirstReply} / ${r.users} |`,
    `| replies expected / accepted | ${r.messagesExpected} / ${r.messagesAccepted} |`,
    `| lost / duplicated / out of order | ${r.lost} / ${r.duplicated} / ${r.outOfOrder} |`,
    `| 429 answers the bot got | ${r.refused429} |`,
    `| time to first reply p10 / p50 / p90 / p99 / max | ${[r.firstReply.p10, r.firstReply.p50, r.firstReply.p90, r.firstReply.p99, r.firstReply.max].map((x) => `${num(x, 1)} s`).join(' / ')} |`,
    `| the limit allows at best: p50 / max | ${r.idealFirstReply.p50} s / ${r.idealFirstReply.max} s |`,
    `| everything delivered after | ${r.allDeliveredS === null ? 'not within the deadline' : `${num(r.allDeliveredS, 1)} s (at 30/s: ${num(r.messagesExpected / 30, 1)} s)`} |`,
    '',
    'Messages accepted and 429s answered, per 5 seconds (at the limit: 150 accepted per 5 s):',
    '',
    `| seconds | ${Array.from({ length: spans }, (_, i) => `${i * 5}–`).join(' | ')} |`,
    `| --- | ${Array.from({ length: spans }, () => '---').join(' | ')} |`,
    `| accepted | ${Array.from({ length: spans }, (_, i) => acc[i] ?? 0).join(' | ')} |`,
    `| 429 | ${Array.from({ length: spans }, (_, i) => ref[i] ?? 0).join(' | ')} |`,
    '',
    ...(r.botErrors ? ['The bot wrote on stderr:', '', '```', r.botErrors.trim(), '```', ''] : []),
  ];
}

// ---------- 4. memory ----------

function memory(rec: SectionRecord<'memory'> | undefined, targets: Target[]): string[] {
  const title = '4. Memory';
  if (!rec) {
    return missing(title, targets, [
      ['bytes per persisted session', '≤ 1 KB'],
      ['RSS of 10,000 live conversations above an idle bot', '≤ 150 MB'],
    ]);
  }
  const d = rec.data;
  const rows: string[] = [];
  for (const [name, runs] of Object.entries(d) as [ContenderName, NonNullable<(typeof d)[ContenderName]>][]) {
    const m = (f: (r: (typeof runs)[number]) => number) => median(runs.map(f));
    rows.push(
      `| ${LABELS[name]} | ${num(m((r) => r.idleRssMB))} | ${num(m((r) => r.rssMB))} | ${num(m((r) => r.rssAboveIdleMB))} | ${num(
        m((r) => r.bytesPerConversationRss / 1024),
        1,
      )} | ${num(m((r) => r.heapAboveIdleMB))} | ${num(
        m((r) => r.storedBytes.p50),
        0,
      )} / ${num(
        m((r) => r.storedBytes.max),
        0,
      )} |`,
    );
  }
  const ss = d['safestep-memory'] ?? [];
  const sq = d['safestep-sqlite'] ?? [];
  const bytes = median([...ss, ...sq].map((r) => r.storedBytes.max));
  const rss = Math.max(median(ss.map((r) => r.rssAboveIdleMB)), median(sq.map((r) => r.rssAboveIdleMB)));
  targets.push(
    {
      item: '4. bytes per persisted SafeStep session (largest seen)',
      target: '≤ 1 KB',
      measured: `${num(bytes, 0)} B`,
      verdict: verdict(Number.isFinite(bytes) ? bytes <= 1024 : undefined),
    },
    {
      item: `4. RSS of ${rec.plan.conversations.toLocaleString('en-US')} live SafeStep conversations above an idle bot (worse of the two stores)`,
      target: '≤ 150 MB',
      measured: `${num(rss)} MB`,
      verdict: verdict(Number.isFinite(rss) ? rss <= 150 : undefined),
    },
  );
  return [
    `## ${title}`,
    '',
    `A bot is started, holds 20 warm-up conversations, and is measured after full collections (idle); then ${rec.plan.conversations.toLocaleString('en-US')} people each start a conversation and answer two questions (${rec.plan.concurrency} updates at a time), and it is measured again. With the memory store, the sessions themselves are in RSS; with SQLite they are on disk (plus SQLite's page cache). SafeStep keeps each of these conversations decoded in memory, its session and statechart snapshot (up to 10,000 by default; no running actor). Bytes kept: the persisted form of one conversation after 3 turns (JSON), p50 / max over a tenth of the people. One run each.`,
    '',
    '| contender | idle RSS MB | RSS MB with the conversations | above idle MB | KB per conversation | heap above idle MB | bytes kept p50 / max |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ];
}

// ---------- 5. start-up ----------

function startup(rec: SectionRecord<'startup'> | undefined, targets: Target[]): string[] {
  const title = '5. Start-up';
  if (!rec) {
    return missing(title, targets, [
      ['load, check and compile all flows (no cache)', '≤ 300 ms'],
      ['load all flows from the cache (folder unchanged)', '≤ 300 ms'],
      ['`npm start` to the first line in the terminal (cache present)', '≤ 1.5 s'],
    ]);
  }
  const { load, firstLineMs } = rec.data;
  // Records from before the cache have no cached figures: those rows read "–", not measured.
  const some = (f: (r: (typeof load)[number]) => number | undefined) =>
    summarize(load.map(f).filter((x): x is number => x !== undefined));
  const cold = pick(load, (r) => r.firstLoadMs);
  const cached = some((r) => r.cachedLoadMs);
  const line = summarize(firstLineMs);
  const coldLine = some((r) => r.coldFirstLineMs);
  const target = (item: string, limit: number, s: Summary) => ({
    item: `5. ${item}`,
    target: `≤ ${num(limit, 0)} ms`,
    measured: s.runs > 0 ? `${num(s.median, 0)} ms` : '–',
    verdict: verdict(s.runs > 0 ? s.median <= limit : undefined),
  });
  targets.push(
    target('load, check and compile all flows (no cache)', 300, cold),
    target('load all flows from the cache (folder unchanged)', 300, cached),
    target('`npm start` to the first line in the terminal (cache present)', 1500, line),
    target('`npm start` to the first line, no cache entry (first start after an edit)', 1500, coldLine),
  );
  return [
    `## ${title}`,
    '',
    `\`loadBundle\` on \`${rec.flows.dir}\` (${load[0]?.flows ?? '?'} flows, ${load[0]?.states ?? '?'} states). A folder that loaded cleanly is kept, parsed and checked, in a cache keyed by the hash of every file read and of the loader's code (src/flow/cache.ts): an unchanged folder loads from it without parsing YAML or checking again; an edited one, or one never loaded, takes the long way ("no cache"), and only that way can report problems. "No cache": the first call in a fresh process, modules already imported, as at boot, then a second call in the same (warm) process; "from the cache": the first call in another fresh process. \`npm start\`: \`node bin/safestep.js start\` with no platform token and SAFESTEP_STORE=memory:, from spawn to the first byte on stdout (the terminal chat's welcome), which includes Node's own start, tsx compiling the TypeScript sources (cached after the first run), importing every module, loading the flows and the first turn; "no cache entry" runs on a copy of the folder under another name, which no entry matches. ${runs(rec.plan.runs, 'run')}; median <sub>(min–max)</sub>.`,
    '',
    '| | ms |',
    '| --- | --- |',
    `| loadBundle, no cache: first call in a fresh process | ${withNoise(cold, 0)} |`,
    `| loadBundle, no cache: second call (warm process) | ${withNoise(
      pick(load, (r) => r.secondLoadMs),
      0,
    )} |`,
    `| loadBundle from the cache: first call in a fresh process | ${withNoise(cached, 0)} |`,
    `| \`npm start\` to the first line, cache present (a restart) | ${withNoise(line, 0)} |`,
    `| \`npm start\` to the first line, no cache entry | ${withNoise(coldLine, 0)} |`,
    '',
  ];
}

// ---------- 6. engine ----------

function engine(rec: SectionRecord<'engine'> | undefined, targets: Target[]): string[] {
  const title = '6. The engine alone';
  if (!rec) return missing(title, targets, [['turns per second, memory store, one core', '≥ 50,000']]);
  const { live, rehydrate, profile } = rec.data;
  const hot = pick(live, (r) => r.perSecond);
  const cold = pick(rehydrate, (r) => r.perSecond);
  targets.push({
    item: '6. engine turns per second, memory store, one core',
    target: '≥ 50,000',
    measured: num(hot.median, 0),
    verdict: verdict(hot.median >= 50_000),
  });
  const p = rec.plan;
  return [
    `## ${title}`,
    '',
    `\`createEngine\` (src/index.ts) with the memory store, driven directly with Inbound turns: ${p.users.toLocaleString('en-US')} people hold the same 5-step conversation (/start, then the first button of the newest prompt, four times), ${p.concurrency} turns at a time, one process on one core. Steady state: each person has had a whole conversation before timing, then ${p.cycles} more are timed (${(p.users * p.cycles * 5).toLocaleString('en-US')} turns). "Kept decoded" is the engine as shipped: each recently active conversation stays in memory as its session and statechart snapshot, and a turn is xstate's pure transition on that snapshot; "rehydrating" sets liveActors: 0, so every turn decodes the stored session and resolves its snapshot again. CPU µs/turn counts V8's helper threads too. ${runs(p.runs, 'run')}; median <sub>(min–max)</sub>.`,
    '',
    '| | turns/s | CPU µs/turn |',
    '| --- | --- | --- |',
    `| kept decoded (as shipped) | ${withNoise(hot, 0)} | ${withNoise(pick(live, (r) => r.cpuUsPerTurn))} |`,
    `| rehydrating every turn (liveActors: 0) | ${withNoise(cold, 0)} | ${withNoise(pick(rehydrate, (r) => r.cpuUsPerTurn))} |`,
    `| kept decoded / rehydrating | ${ratio(hot.median / cold.median)} | |`,
    '',
    ...(profile
      ? [
          'Where the time goes (one extra run, as shipped, under the sampling profiler):',
          '',
          ...profileTables({ 'the engine alone': profile }),
        ]
      : []),
  ];
}
