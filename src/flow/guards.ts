/**
 * Guards are data in flows and pure functions here, so the checker, the compiler and the renderer
 * (which hides choices whose guard fails) agree on one meaning.
 */
import { RISK_LEVELS, type RiskLevel } from '../engine/types.ts';
import type { ConvoContext } from './context.ts';
import type { Guard } from './schema.ts';

/** Named guards a flow may reference as `{ guard: name }`, for conditions data cannot express. */
export const NAMED_GUARDS: Record<string, (ctx: ConvoContext, risk: RiskLevel) => boolean> = {
  region_known: (ctx) => ctx.region !== null && ctx.region !== 'default',
  chinese_locale: (ctx) => ctx.locale.startsWith('zh'),
  has_flags: (ctx) => ctx.flags.length > 0,
};

export function riskAtLeast(level: RiskLevel, min: RiskLevel): boolean {
  return RISK_LEVELS.indexOf(level) >= RISK_LEVELS.indexOf(min);
}

export function maxRisk(a: RiskLevel, b: RiskLevel): RiskLevel {
  return riskAtLeast(a, b) ? a : b;
}

const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

/** `risk` is the level the recorded flags add up to; computed by the caller from the flag catalog. */
export function evalGuard(guard: Guard, ctx: ConvoContext, risk: RiskLevel): boolean {
  if ('flag' in guard) return ctx.flags.includes(guard.flag);
  if ('risk' in guard) return riskAtLeast(risk, guard.risk);
  if ('region' in guard) return ctx.region !== null && asList(guard.region).includes(ctx.region);
  if ('locale' in guard) return asList(guard.locale).includes(ctx.locale);
  if ('answered' in guard)
    return ctx.trail.some((t) => t.s.endsWith(`.${guard.answered}`) || t.s === guard.answered);
  if ('guard' in guard) return NAMED_GUARDS[guard.guard]?.(ctx, risk) ?? false;
  if ('all' in guard) return guard.all.every((g) => evalGuard(g, ctx, risk));
  if ('any' in guard) return guard.any.some((g) => evalGuard(g, ctx, risk));
  return !evalGuard(guard.not, ctx, risk);
}

/** Every name a guard refers to, for the checker. */
export function guardRefs(guard: Guard): {
  flags: string[];
  named: string[];
  regions: string[];
  locales: string[];
} {
  const out = {
    flags: [] as string[],
    named: [] as string[],
    regions: [] as string[],
    locales: [] as string[],
  };
  const walk = (g: Guard): void => {
    if ('flag' in g) out.flags.push(g.flag);
    else if ('guard' in g) out.named.push(g.guard);
    else if ('region' in g) out.regions.push(...asList(g.region));
    else if ('locale' in g) out.locales.push(...asList(g.locale));
    else if ('all' in g) g.all.forEach(walk);
    else if ('any' in g) g.any.forEach(walk);
    else if ('not' in g) walk(g.not);
  };
  walk(guard);
  return out;
}
