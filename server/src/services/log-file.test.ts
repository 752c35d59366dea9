import { appendFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLastLines, tailLines } from './log-file.ts';

const dir = await mkdtemp(join(tmpdir(), 'log-file-'));

describe('readLastLines', () => {
  it('returns the last n lines; a missing file is empty', async () => {
    const f = join(dir, 'a.log');
    await writeFile(f, 'a\nb\nc\n');
    expect(await readLastLines(f, 2)).toEqual(['b', 'c']);
    expect(await readLastLines(f, 10)).toEqual(['a', 'b', 'c']);
    expect(await readLastLines(join(dir, 'missing.log'), 5)).toEqual([]);
  });

  it('reads only the end of a huge file and drops the cut first line', async () => {
    const f = join(dir, 'big.log');
    await writeFile(f, `${'x'.repeat(2 * 1024 * 1024)}\nlast-but-one\nlast\n`);
    expect(await readLastLines(f, 5)).toEqual(['last-but-one', 'last']);
  });
});

describe('tailLines', () => {
  it('yields complete new lines, follows a truncation, and stops on return()', async () => {
    const f = join(dir, 'tail.log');
    await writeFile(f, 'old\n');
    const it = tailLines(f, { intervalMs: 20 });
    const first = it.next();
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(f, 'new 1\nnew');
    expect((await first).value).toEqual(['new 1']);
    await writeFile(f, 'cut\n'); // shorter than before: truncated, read from the start
    expect((await it.next()).value).toEqual(['cut']);
    const pending = it.next();
    await it.return?.();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});
