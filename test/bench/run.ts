// `npm run bench [filter]`: runs every test/bench/*.bench.ts, prints a table, writes JSON to .bench/.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchModule, BenchResult } from './bench.ts';

const dir = new URL('.', import.meta.url).pathname;
const filter = process.argv[2];
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort();

const all: (BenchResult & { file: string })[] = [];
for (const file of files) {
  process.stdout.write(`running ${file} …\n`);
  const mod = (await import(join(dir, file))) as BenchModule;
  try {
    for (const r of await mod.run()) all.push({ ...r, file });
  } catch (err) {
    all.push({ file, name: `${file} FAILED`, metrics: { error: (err as Error).message } });
  }
}

for (const r of all) {
  console.log(`\n${r.name}${r.target ? `   (target: ${r.target})` : ''}`);
  for (const [k, v] of Object.entries(r.metrics)) console.log(`  ${k.padEnd(34)} ${v}`);
  for (const n of r.notes ?? []) console.log(`  note: ${n}`);
}

const out = join(dir, '..', '..', '.bench');
mkdirSync(out, { recursive: true });
const body = JSON.stringify(
  { at: new Date().toISOString(), node: process.version, results: all },
  null,
  2,
);
writeFileSync(join(out, `bench-${Date.now()}.json`), body);
writeFileSync(join(out, 'latest.json'), body);
console.log(`\nwrote .bench/latest.json`);
process.exit(0);
