import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  listRuntimeIds,
  parseRecord,
  type RuntimeRecord,
  readRecord,
  writeRecord,
} from './record.ts';

const record: RuntimeRecord = {
  runtimeId: 'r1',
  ownerId: 'o1',
  port: 19100,
  templateHash: 'abc',
  openclawVersion: '2026.9.6',
  process: { pid: 4242, startTime: '123456', startedAt: '2026-11-23T22:00:00.000Z' },
};

describe('parseRecord', () => {
  it('round-trips a full record', () => {
    expect(parseRecord(JSON.stringify(record))).toEqual(record);
  });

  it('keeps a record without a process', () => {
    const { process: _p, ...stopped } = record;
    expect(parseRecord(JSON.stringify(stopped))).toEqual(stopped);
  });

  const invalid: [string, string][] = [
    ['torn JSON', '{"runtimeId":"r1","own'],
    ['not an object', '[1,2]'],
    ['missing port', JSON.stringify({ ...record, port: undefined })],
    ['port out of range', JSON.stringify({ ...record, port: 70000 })],
    ['non-string hash', JSON.stringify({ ...record, templateHash: 5 })],
  ];
  it.each(invalid)('rejects %s', (_name, text) => {
    expect(parseRecord(text)).toBeUndefined();
  });

  const badProcess: [string, unknown][] = [
    ['pid 1', { ...record.process, pid: 1 }],
    ['fractional pid', { ...record.process, pid: 1.5 }],
    ['numeric start time', { ...record.process, startTime: 123 }],
  ];
  it.each(badProcess)('drops a process with %s', (_name, proc) => {
    expect(parseRecord(JSON.stringify({ ...record, process: proc }))?.process).toBeUndefined();
  });
});

describe('writeRecord / readRecord / listRuntimeIds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clawloops-record-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes atomically and lists runtimes by directory', async () => {
    expect(await listRuntimeIds(dir)).toEqual([]);
    const path = join(dir, 'runtimes', 'r1', 'runtime.json');
    writeRecord(path, record);
    writeRecord(path, { ...record, port: 19120 });
    expect(readRecord(path)?.port).toBe(19120);
    expect(readdirSync(join(dir, 'runtimes', 'r1'))).toEqual(['runtime.json']);
    expect(await listRuntimeIds(dir)).toEqual(['r1']);
    expect(readRecord(join(dir, 'missing.json'))).toBeUndefined();
  });
});
