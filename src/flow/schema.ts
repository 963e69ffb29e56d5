/**
 * The flow language, as zod schemas. YAML files in flows/ are data only; these schemas say what
 * shape that data has. Cross-references (targets, resource ids, locales) are checked later by
 * check.ts, which sees the whole bundle at once.
 */
import { z } from 'zod';
import { RISK_LEVELS } from '../engine/types.ts';

const ID = /^[a-z][a-z0-9_]*$/;
const FLOW_ID = /^[a-z][a-z0-9-]*$/;

export const StateId = z.string().regex(ID, 'state ids are snake_case: lowercase letters, digits and _');
export const FlowId = z.string().regex(FLOW_ID, 'flow ids are kebab-case: lowercase letters, digits and -');
export const ChoiceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'choice ids are lowercase letters, digits, _ and -');
export const RefId = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'ids are lowercase letters, digits, _ and -');
export const RiskLevel = z.enum(RISK_LEVELS);

/** Text in every declared locale: `{ en: "...", zh-CN: "..." }`. */
export const Localized = z.record(z.string(), z.string());
export type Localized = z.infer<typeof Localized>;

/** A guard: data that says when a choice is offered or a decision is taken. */
export type Guard =
  | { flag: string }
  | { risk: z.infer<typeof RiskLevel> }
  | { region: string | string[] }
  | { locale: string | string[] }
  | { answered: string }
  | { guard: string }
  | { all: Guard[] }
  | { any: Guard[] }
  | { not: Guard };

export const Guard: z.ZodType<Guard> = z.lazy(() =>
  z.union([
    z.strictObject({ flag: RefId }),
    z.strictObject({ risk: RiskLevel }),
    z.strictObject({ region: z.union([z.string(), z.array(z.string())]) }),
    z.strictObject({ locale: z.union([z.string(), z.array(z.string())]) }),
    z.strictObject({ answered: z.string() }),
    z.strictObject({ guard: z.string() }),
    z.strictObject({ all: z.array(Guard).min(1) }),
    z.strictObject({ any: z.array(Guard).min(1) }),
    z.strictObject({ not: Guard }),
  ]),
);

const Flags = z.union([RefId, z.array(RefId)]);

/** Where a choice or route leads: a state of this flow, or the start of another flow. */
const Target = {
  next: StateId.optional(),
  flow: FlowId.optional(),
};

export const Choice = z
  .strictObject({
    id: ChoiceId,
    label: Localized,
    ...Target,
    flag: Flags.optional(),
    when: Guard.optional(),
  })
  .refine((c) => Boolean(c.next) !== Boolean(c.flow), {
    message: 'a choice needs exactly one of next or flow',
  });

export const Route = z
  .strictObject({
    intent: RefId,
    ...Target,
    flag: Flags.optional(),
  })
  .refine((r) => Boolean(r.next) !== Boolean(r.flow), {
    message: 'a route needs exactly one of next or flow',
  });

export const Decision = z
  .strictObject({ when: Guard.optional(), ...Target })
  .refine((d) => Boolean(d.next) !== Boolean(d.flow), {
    message: 'a decision needs exactly one of next or flow',
  });

export const Outcome = z.strictObject({
  level: RiskLevel,
  steps: z.array(RefId).min(1),
  resources: z.array(RefId),
});

export const State = z
  .strictObject({
    /** One message, or several sent one after another. */
    say: z.union([Localized, z.array(Localized).min(1)]).optional(),
    choices: z.array(Choice).optional(),
    routes: z.array(Route).optional(),
    /** Evaluated on entry, in order; the first whose `when` holds is taken. The last has no `when`. */
    decide: z.array(Decision).min(1).optional(),
    outcome: Outcome.optional(),
    /** Flags recorded when the state is entered. */
    flag: Flags.optional(),
    /** Whether the user may add free text here for the evidence pack (what happened, amounts, accounts). */
    collect: z.boolean().optional(),
  })
  .superRefine((s, ctx) => {
    const kinds = [s.choices, s.decide, s.outcome].filter(Boolean).length;
    if (s.decide && (s.choices || s.outcome || s.say)) {
      ctx.addIssue({ code: 'custom', message: 'a decide state only decides: no say, choices or outcome' });
    } else if (kinds === 0 && !s.routes) {
      ctx.addIssue({ code: 'custom', message: 'a state needs choices, routes, decide or an outcome' });
    }
    if (!s.decide && !s.say && !s.outcome) {
      ctx.addIssue({ code: 'custom', message: 'a state that asks something needs say' });
    }
  });

export const Flow = z.strictObject({
  $schema: z.string().optional(),
  id: FlowId,
  title: Localized,
  /** Intent ids that open this flow from free text. */
  intents: z.array(RefId).default([]),
  /** Shown in menus (triage, disambiguation) when true or absent. */
  listed: z.boolean().default(true),
  start: StateId,
  states: z.record(StateId, State),
});
export type Flow = z.infer<typeof Flow>;
export type FlowState = z.infer<typeof State>;
export type FlowChoice = z.infer<typeof Choice>;
export type FlowRoute = z.infer<typeof Route>;
export type FlowDecision = z.infer<typeof Decision>;
export type FlowOutcome = z.infer<typeof Outcome>;

/** flows/safestep.yaml: the project-wide settings. */
export const Config = z.strictObject({
  locales: z.array(z.string()).min(1),
  defaultLocale: z.string(),
  defaultRegion: z.string(),
  /** The flow that opens when nothing else fits. */
  entry: FlowId,
  /** The flow that danger words and /emergency open. */
  emergency: FlowId,
  /** Regions whose contacts the resources know; `default` covers anywhere else. */
  regions: z.record(
    z.string(),
    z.strictObject({ name: Localized, aliases: z.array(z.string()).default([]) }),
  ),
});
export type Config = z.infer<typeof Config>;

/** One contact of a resource in one region. */
export const Contact = z.strictObject({
  /** A number or address; words (localized) where no number applies, e.g. "your local police". */
  contact: z.union([z.string().min(1), Localized]),
  label: Localized.optional(),
  /** Keys into `sources` of resources.yaml. Every number carries its source. */
  source: z.array(z.string()).min(1),
  /** V: seen in an official source; V2: only in reposts or news; UNVERIFIED: not found. */
  status: z.enum(['V', 'V2', 'UNVERIFIED']),
});

export const Resource = z.strictObject({
  label: Localized,
  /** Region code → contact. `default` applies anywhere not listed. */
  regions: z.record(z.string(), z.union([Contact, z.array(Contact)])),
});

/** A file in flows/resources/: contacts and the sources they come from. Files are merged. */
export const Resources = z.strictObject({
  $schema: z.string().optional(),
  sources: z.record(z.string(), z.string()).default({}),
  resources: z.record(RefId, Resource).default({}),
});
export type Resources = z.infer<typeof Resources>;

/** A file in flows/steps/: the concrete safe steps outcomes name. */
export const Steps = z.record(RefId, Localized);

/** A file in flows/flags/: every red flag a choice or the text analyser can record. */
export const FlagDef = z.strictObject({
  level: RiskLevel,
  explain: Localized,
});
export const FlagCatalog = z.record(RefId, FlagDef);

/** flows/locales/<locale>.yaml: the engine's own words (help, re-prompts, notices). */
export const UiStrings = z.record(z.string(), z.string());
