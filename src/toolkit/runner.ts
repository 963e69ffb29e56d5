/**
 * Plays a scripted conversation through a channel, step by step, checking each step's
 * expectations. Stops at the first failing step: what follows it no longer means what the author
 * wrote.
 */
import { type Action, type Convo, describeAction, type ScriptStep } from './convo.ts';
import { checkExpect, type Mismatch } from './expect.ts';
import type { Observed } from './observed.ts';

export interface Hints {
  locale: string;
  region?: string;
}

/** A way to talk to the bot: the engine in-process, the terminal adapter, a platform adapter. */
export interface Channel {
  readonly name: string;
  send(user: string, action: Action, hints: Hints): Promise<Observed>;
  close(): Promise<void>;
}

export type StepFailure =
  | { kind: 'mismatch'; step: ScriptStep; mismatches: Mismatch[]; seen: Observed }
  | { kind: 'error'; step: ScriptStep; message: string; seen?: Observed };

export interface ConvoResult {
  convo: Convo;
  channel: string;
  /** What the bot did after each step that ran. */
  seen: Observed[];
  failure?: StepFailure;
}

export async function runConvo(convo: Convo, channel: Channel, user: string): Promise<ConvoResult> {
  const hints: Hints =
    convo.region === undefined ? { locale: convo.locale } : { locale: convo.locale, region: convo.region };
  const seen: Observed[] = [];
  for (const step of convo.steps) {
    let observed: Observed;
    try {
      observed = await channel.send(user, step.action, hints);
    } catch (err) {
      const message = `${describeAction(step.action)} failed: ${err instanceof Error ? err.message : String(err)}`;
      return { convo, channel: channel.name, seen, failure: { kind: 'error', step, message } };
    }
    seen.push(observed);
    const mismatches = checkExpect(step.expect, observed);
    if (mismatches.length > 0) {
      return {
        convo,
        channel: channel.name,
        seen,
        failure: { kind: 'mismatch', step, mismatches, seen: observed },
      };
    }
  }
  return { convo, channel: channel.name, seen };
}

/** A stable, readable user key per script, so parallel scripts never share a conversation. */
export function userFor(convo: Convo, channel: string): string {
  const base = convo.file.replace(/^.*\//, '').replace(/\.convo\.ya?ml$/, '');
  return `test:${channel}:${base}`;
}
