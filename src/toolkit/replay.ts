/**
 * Turning statechart events back into what a person does: press a button, type an answer, open a
 * flow by deep link. Generated paths are replayed through the real engine with these, and
 * skeleton scripts are written with them.
 */
import type { Bundle } from '../flow/bundle.ts';
import type { ConvoEvent } from '../flow/compile.ts';
import type { Action } from './convo.ts';

/** Plain answers a person types; each is checked against the bundle's understanding before use. */
const ANSWERS: Record<string, Record<string, string[]>> = {
  yes: { en: ['yes', 'yes they did'], 'zh-CN': ['是的', '是'] },
  no: { en: ['no', 'no they did not'], 'zh-CN': ['没有', '不是'] },
  unsure: { en: ["I'm not sure", 'not sure'], 'zh-CN': ['不确定', '不知道'] },
  paid: { en: ['I already paid', 'I have paid'], 'zh-CN': ['我已经付钱了', '已经转账了'] },
  not_paid: { en: ["I haven't paid", 'I have not paid anything'], 'zh-CN': ['还没付钱', '我没有付钱'] },
  safe: { en: ["I'm safe", 'I am safe now'], 'zh-CN': ['我现在安全', '我很安全'] },
  unsafe: { en: ["I'm not safe", 'I am in danger'], 'zh-CN': ['我不安全', '我有危险'] },
  on_call: {
    en: ["They're on the phone with me now", 'they are still on the call'],
    'zh-CN': ['他们正在和我通话', '对方还在电话里'],
  },
};

/**
 * Free text that this bundle's understanding routes to `intent` in `locale`, or undefined when no
 * known phrase does (the author then writes one).
 */
export function phraseFor(
  bundle: Pick<Bundle, 'understanding'>,
  intent: string,
  locale: string,
): string | undefined {
  const candidates = [
    ...(ANSWERS[intent]?.[locale] ?? []),
    ...(ANSWERS[intent]?.en ?? []),
    intent.replace(/[_-]/g, ' '),
  ];
  for (const text of candidates) {
    const a = bundle.understanding.analyze(text, { locale, expected: [intent] });
    const best = [...a.intents].sort((x, y) => y.score - x.score)[0];
    if (a.danger.length === 0 && best?.id === intent && best.score >= 0.5) return text;
  }
  return undefined;
}

export type Replayable = { ok: true; action: Action } | { ok: false; reason: string };

export function actionFor(
  bundle: Pick<Bundle, 'understanding'>,
  event: ConvoEvent,
  locale: string,
): Replayable {
  switch (event.type) {
    case 'CHOOSE':
      return { ok: true, action: { kind: 'choose', id: event.id } };
    case 'GOTO':
      return { ok: true, action: { kind: 'command', command: 'start', flow: event.flow } };
    case 'ROUTE': {
      const text = phraseFor(bundle, event.intent, locale);
      return text
        ? { ok: true, action: { kind: 'text', text } }
        : { ok: false, reason: `no known ${locale} phrase is understood as "${event.intent}"` };
    }
    case 'EMERGENCY':
      return { ok: true, action: { kind: 'command', command: 'emergency' } };
    case 'RESTART':
      return { ok: true, action: { kind: 'command', command: 'restart' } };
    default:
      return { ok: false, reason: `event ${event.type} is not something a person does` };
  }
}
