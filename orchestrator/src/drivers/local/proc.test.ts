import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isProcessAlive, parseProcStat, readProcStat, terminateProcess } from './proc.ts';

const fields = (comm: string, state: string) =>
  `4242 (${comm}) ${state} 1 4242 4242 0 -1 4227340 281740 857 0 0 10 5 0 0 20 0 11 0 98765 1234 56`;

describe('parseProcStat', () => {
  it.each([
    ['plain name', fields('node', 'S'), { state: 'S', startTime: '98765' }],
    ['name with spaces and parens', fields('a (b) c', 'R'), { state: 'R', startTime: '98765' }],
    ['zombie', fields('openclaw-gatewa', 'Z'), { state: 'Z', startTime: '98765' }],
  ])('%s', (_name, line, expected) => {
    expect(parseProcStat(line)).toEqual(expected);
  });

  it('rejects garbage', () => {
    expect(parseProcStat('nonsense')).toBeUndefined();
    expect(parseProcStat('1 (x) S 1')).toBeUndefined();
  });
});

describe.runIf(process.platform === 'linux')('process liveness', () => {
  it('tracks a real process by pid and start time', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
      detached: true,
      stdio: 'ignore',
    });
    const pid = child.pid ?? 0;
    const startTime = readProcStat(pid)?.startTime ?? '';
    expect(isProcessAlive(pid, startTime)).toBe(true);
    expect(isProcessAlive(pid, `${startTime}1`)).toBe(false);
    await terminateProcess(pid, startTime, 5000);
    expect(isProcessAlive(pid, startTime)).toBe(false);
    expect(isProcessAlive(process.pid)).toBe(true);
  });
});
