import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASIC, tempDir } from '../engine/helpers.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'safestep.js');

/** Runs `safestep chat --jsonl` as a real process and returns its stdout lines. */
function jsonl(
  input: string,
  env: Record<string, string> = {},
): Promise<{ lines: string[]; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'chat', '--jsonl'], {
      env: {
        ...process.env,
        SAFESTEP_FLOWS: BASIC,
        SAFESTEP_STORE: `sqlite:${join(tempDir(), 's.db')}`,
        ...env,
      },
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ lines: out.split('\n').filter(Boolean), code }));
    child.stdin.end(input);
  });
}

describe('safestep chat --jsonl (the line protocol of DESIGN.md)', () => {
  it('answers every input line with exactly one JSON line, in order, and survives bad lines', async () => {
    const input = [
      '{"user":"a","text":"I got a job offer","locale":"en","region":"UK"}',
      'not json',
      '{"user":"a","choice":"abroad"}',
      '{"text":"no user"}',
      '',
      '{"user":"b","command":"start","flow":"job-offer"}',
      '{"user":"a","command":"restart"}',
    ].join('\n');
    const { lines, code } = await jsonl(input);
    expect(code).toBe(0);
    const out = lines.map((l) => JSON.parse(l));
    expect(out).toHaveLength(7);
    expect(out[0]).toMatchObject({ user: 'a', flow: 'job-offer', state: 'where', outcome: null });
    expect(out[0].replies.at(-1).choices).toEqual([
      { id: 'abroad', label: 'Abroad' },
      { id: 'home', label: 'At home' },
    ]);
    expect(out[1]).toEqual({ error: expect.any(String) });
    expect(out[2]).toMatchObject({ user: 'a', state: 'fee', risk: { level: 'medium', flags: ['overseas'] } });
    expect(out[3]).toEqual({ error: expect.stringContaining('user') });
    expect(out[4]).toEqual({ error: expect.any(String) });
    expect(out[5]).toMatchObject({ user: 'b', flow: 'job-offer', state: 'where' });
    expect(out[6]).toMatchObject({ user: 'a', flow: 'triage', state: 'what' });
  });

  it('reports an outcome with its level, steps and contacts for the region', async () => {
    const input = [
      '{"user":"o","command":"start","flow":"job-offer","region":"UK"}',
      '{"user":"o","choice":"home"}',
      '{"user":"o","choice":"paid_fee"}',
    ].join('\n');
    const { lines } = await jsonl(input);
    const last = JSON.parse(lines.at(-1)!);
    expect(last.outcome).toEqual({
      level: 'high',
      steps: ['stop_contact', 'do_not_pay'],
      resources: [{ id: 'emergency', label: 'Emergency', contact: '999', verified: true }],
    });
  });

  it('refuses to start on a broken flow, printing file:line for each problem', async () => {
    const { code } = await jsonl('{"user":"a","text":"hi"}\n', {
      SAFESTEP_FLOWS: join(import.meta.dirname, '..', 'fixtures', 'broken'),
    });
    expect(code).not.toBe(0);
  });
});
