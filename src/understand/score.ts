/**
 * From pattern hits to intent scores. Strong patterns weigh 2, weak ones 1, hints (everyday words
 * such as "job" or 银行) 0.5, and score = w / (w + 1): one weak word or two hints reach 0.5, where
 * the engine routes; a single hint ("my new job starts Monday") does not. When the message holds a
 * red flag, a sum, a link or a number, every flow it mentions gets +1: one word is then enough.
 * Odds s / (1 - s) = w, so the engine's "ask when the runner-up has 75% of the best one's
 * evidence" compares weights directly.
 */
import type { Token } from './normalize.ts';
import { type Hit, keepLongest } from './pattern.ts';
import type { IntentScore } from './types.ts';

export interface IntentValue {
  /** NEUTRAL for phrases that only hide the words inside them. */
  id: string;
  weight: number;
  answer: boolean;
}

export const NEUTRAL = '';

/** A reply this short is an answer as a whole (words; a Chinese character counts half). */
const ANSWER_MAX_WORDS = 8;

export function scoreIntents(
  hits: readonly Hit<IntentValue>[],
  text: string,
  tokens: readonly Token[],
  outranks: ReadonlyMap<string, readonly string[]>,
  scamContext = false,
): IntentScore[] {
  const short = tokens.reduce((n, t) => n + (t.kind === 'han' ? 0.5 : 1), 0) <= ANSWER_MAX_WORDS;
  const weights = new Map<string, number>();
  const strong = new Set<string>();
  const counted = new Set<string>();
  const answerIds = new Set(hits.filter((h) => h.value.answer).map((h) => h.value.id));
  for (const h of resolve(hits)) {
    if (h.value.answer && !isAnswer(h, text, tokens, short)) continue;
    // Two patterns of one intent on the same words ("recruiter", "recruit*") count once.
    const key = `${h.value.id}:${h.first}:${h.last}`;
    if (counted.has(key)) continue;
    counted.add(key);
    weights.set(h.value.id, (weights.get(h.value.id) ?? 0) + h.value.weight);
    if (h.value.weight >= 2) strong.add(h.value.id);
  }
  // With a red flag in the message, one word for a flow is enough: "a man says he is police and
  // wants ¥5000" is not an ordinary mention of the police.
  if (scamContext) for (const [id, w] of weights) if (!answerIds.has(id)) weights.set(id, w + 1);
  // "Someone who already paid needs the bank first, whatever the scam": an intent with a strong
  // match keeps the ones it outranks below half its weight, so it wins without a question.
  for (const [id, list] of outranks) {
    const w = weights.get(id);
    if (w === undefined || !strong.has(id)) continue;
    for (const other of list) {
      const o = weights.get(other);
      if (o !== undefined && o > w / 2) weights.set(other, w / 2);
    }
  }
  return [...weights]
    .map(([id, w]) => ({ id, score: w / (w + 1) }))
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
}

/**
 * Longest match wins among intents, and among answers. Across the two, a hit is dropped only when
 * a longer one of the other kind contains it: "safe account" hides the answer "safe", "not paid"
 * hides money-lost's "paid", but 已经转 (money-lost) and 转了 (the answer "paid") both count.
 */
function resolve(hits: readonly Hit<IntentValue>[]): Hit<IntentValue>[] {
  // Neutral phrases take part in both contests, then leave: they only hide what they contain.
  const neutral = hits.filter((h) => h.value.id === NEUTRAL);
  const intents = keepLongest([...neutral, ...hits.filter((h) => !h.value.answer && h.value.id !== NEUTRAL)]);
  const answers = keepLongest([...neutral, ...hits.filter((h) => h.value.answer)]);
  const hidden = (h: Hit<IntentValue>, by: readonly Hit<IntentValue>[]) =>
    by.some((o) => o.first <= h.first && h.last <= o.last && o.end - o.start > h.end - h.start);
  return [
    ...intents.filter((h) => !hidden(h, answers)),
    ...answers.filter((h) => !hidden(h, intents)),
  ].filter((h) => h.value.id !== NEUTRAL);
}

/**
 * Answers count in a short reply, or as the first clause of a longer one ("no, they only...").
 * A one-character Chinese answer (有, 是, 不) must stand alone: 有点, 有人说 and 不知道 are not answers.
 */
function isAnswer(h: Hit<IntentValue>, text: string, tokens: readonly Token[], short: boolean): boolean {
  const single = h.last - h.first === 1 && tokens[h.first]!.kind === 'han';
  const alone = (h.start === 0 || SEPARATOR.test(text[h.start - 1]!)) && endsClause(text, h.end);
  if (single && !alone) return false;
  return short || (h.first === 0 && endsClause(text, h.end));
}

const SEPARATOR = /[\s,.;:!?，。！？；：~\-()"']/;

/** "no, they..." and 有，他们… open with an answer; "no one called" does not. */
function endsClause(text: string, end: number): boolean {
  if (end >= text.length) return true;
  return SEPARATOR.test(text[end]!) && !/^ (?:one|body|way|matter|longer|more)\b/.test(text.slice(end));
}
