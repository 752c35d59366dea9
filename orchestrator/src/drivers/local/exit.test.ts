import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyExit, cleanLines, errorLine, readLogTail, restartBackoffMs } from './exit.ts';

const ESC = String.fromCharCode(27);
const rejected = [
  '2026-11-23T22:04:23.396+00:00 [gateway] loading configuration…',
  '2026-11-23T22:04:23.500+00:00 [gateway] Gateway failed to start: Invalid config at /x/openclaw.json: openclaw.json:1 — gateway: Unrecognized key: "bogusKey"',
  'Run "openclaw doctor --fix" to repair.',
];
// Shape of 2026.9.6's output: the detail follows on its own line.
const rejectedMultiline = [
  '2026-11-23T22:12:05.019+00:00 [gateway] spawn broker ready pid=13312',
  '2026-11-23T22:12:05.645+00:00 Gateway failed to start: Invalid config at /s/openclaw.json:',
  'openclaw.json:22 — gateway.auth.identityScopes[""]: Invalid key in record',
  'Run "openclaw doctor --fix" to repair, then retry.',
  'If startup is still blocked, inspect the adjacent .bak backup before restoring it manually.',
  '2026-11-23T22:12:05.648+00:00 Run "openclaw doctor --fix" to repair the config, then retry.',
];

describe('classifyExit', () => {
  it('exit 78 is a rejected config with OpenClaw’s own explanation', () => {
    expect(classifyExit(78, null, rejected)).toEqual({
      kind: 'failed',
      reason: 'ConfigRejected',
      message:
        'Gateway failed to start: Invalid config at /x/openclaw.json: openclaw.json:1 — gateway: Unrecognized key: "bogusKey"',
    });
  });

  it('exit 78 joins the detail line OpenClaw prints after the error', () => {
    expect(classifyExit(78, null, rejectedMultiline).message).toBe(
      'Gateway failed to start: Invalid config at /s/openclaw.json: openclaw.json:22 — gateway.auth.identityScopes[""]: Invalid key in record',
    );
  });

  it('exit 78 without a log still fails', () => {
    expect(classifyExit(78, null, [])).toMatchObject({ kind: 'failed', reason: 'ConfigRejected' });
  });

  const crashes: [string, number | null, NodeJS.Signals | null, string][] = [
    ['exit code', 1, null, 'Gateway exited with code 1'],
    ['signal', null, 'SIGKILL', 'Gateway was killed by SIGKILL'],
    ['unknown status (adopted)', null, null, 'Gateway exited'],
    ['clean exit nobody asked for', 0, null, 'Gateway exited with code 0'],
  ];
  it.each(crashes)('%s is a crash', (_name, code, signal, message) => {
    expect(classifyExit(code, signal, [])).toEqual({
      kind: 'crashed',
      reason: 'CrashLoopBackOff',
      message,
    });
  });

  it('a crash message carries the last log lines', () => {
    const verdict = classifyExit(1, null, ['a', 'b', 'c', 'd', 'e', 'f']);
    expect(verdict.message).toBe('Gateway exited with code 1:\nb\nc\nd\ne\nf');
  });
});

describe('restartBackoffMs', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [5, 16000],
    [6, 30000],
    [60, 30000],
  ])('crash #%i waits %i ms', (crashes, ms) => {
    expect(restartBackoffMs(crashes, 30_000)).toBe(ms);
  });
});

describe('log lines', () => {
  it('strips ANSI colours and blank lines', () => {
    expect(cleanLines(`${ESC}[31mred${ESC}[0m\n\n  \nplain\r\n`)).toEqual(['red', 'plain']);
  });

  it('prefers the most specific error line', () => {
    expect(
      errorLine(['error: something generic', 'Refusing to bind gateway to lan without auth.']),
    ).toBe('Refusing to bind gateway to lan without auth.');
    expect(errorLine(['all good'])).toBeUndefined();
  });

  it('reads the tail of a file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clawloops-tail-'));
    const path = join(dir, 'console.log');
    writeFileSync(path, Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n'));
    expect(await readLogTail(path, 3)).toEqual(['line 47', 'line 48', 'line 49']);
    expect(await readLogTail(join(dir, 'missing.log'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
