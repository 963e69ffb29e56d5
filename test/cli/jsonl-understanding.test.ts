/**
 * Issue "understand what people type", over the real line protocol and the real flows: a first
 * message lands in its flow, and a danger message lands in emergency from every flow.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/index.ts';
import { tempDir } from '../engine/helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..');

function jsonl(lines: object[]): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'safestep.js'), 'chat', '--jsonl'], {
      cwd: ROOT,
      env: {
        ...process.env,
        SAFESTEP_FLOWS: join(ROOT, 'flows'),
        SAFESTEP_STORE: `sqlite:${join(tempDir(), 'u.db')}`,
      },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', () =>
      resolve(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l)),
      ),
    );
    child.stdin.end(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  });
}

describe('first messages and danger over the JSONL protocol', () => {
  it('routes the first message to its flow, in English and Chinese', async () => {
    const out = await jsonl([
      { user: 'a', text: 'a recruiter on WhatsApp offers 300 a day for liking videos' },
      { user: 'b', text: '有人说我涉嫌洗钱要转到安全账户' },
      { user: 'c', text: 'I got a job offer', locale: 'en', region: 'UK' },
    ]);
    expect(out.map((o) => o.flow)).toEqual(['task-scam', 'impersonation', 'job-offer']);
    expect((out[1]!.risk as { flags: string[] }).flags).toContain('safe_account');
  });

  it('takes a danger message to emergency help from every flow', async () => {
    const bundle = await loadBundle(join(ROOT, 'flows'));
    const flows = [...bundle.flows.keys()].filter((f) => f !== bundle.config.emergency);
    const lines = flows.flatMap((flow, i) => [
      { user: `d${i}`, command: 'start', flow },
      {
        user: `d${i}`,
        text: i % 2 === 0 ? 'they took my passport and locked me in' : '我被扣在园区出不来了',
      },
    ]);
    const out = await jsonl(lines);
    const landed = out.filter((_, i) => i % 2 === 1).map((o) => o.flow);
    expect(landed).toEqual(flows.map(() => bundle.config.emergency));
    expect(
      out.filter((_, i) => i % 2 === 1).every((o) => (o.risk as { level: string }).level === 'critical'),
    ).toBe(true);
  });
});
