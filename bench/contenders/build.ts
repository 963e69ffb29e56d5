/** One contender by name, each against the same stubbed Bot API; only its own library is loaded. */
import type { Contender, ContenderName } from './contender.ts';

export async function buildContender(name: ContenderName, flowsDir: string): Promise<Contender> {
  switch (name) {
    case 'echo':
      return (await import('./echo.ts')).buildEcho();
    case 'wizard':
      return (await import('./wizard.ts')).buildWizard();
    case 'grammy':
      return (await import('./grammy.ts')).buildGrammy();
    case 'safestep-memory':
    case 'safestep-sqlite': {
      const { loadBundle } = await import('../../src/index.ts');
      const { buildSafeStep } = await import('./safestep.ts');
      return buildSafeStep({
        bundle: await loadBundle(flowsDir),
        store: name === 'safestep-sqlite' ? 'sqlite' : 'memory',
      });
    }
  }
}
