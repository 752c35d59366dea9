import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const PRINT = `
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from './server/src/graphql/schema.ts';
process.stdout.write(printSchema(lexicographicSortSchema(schema)) + '\\n');
`;
const FIX = 'stale: run `npm run generate` and commit the result';

/**
 * Style rule 17: the printed schema and the SPA's generated documents are committed, so reviews see
 * contract changes; this fails when either no longer matches what the generators produce.
 */
describe('generated code is committed and current', () => {
  it('schema/schema.graphql is the printed server schema', () => {
    // Printed in a child process exactly as server/scripts/print-schema.ts does (in-process, the
    // schema's `graphql` and vitest's would be two module instances that refuse to mix).
    const printed = execFileSync(process.execPath, ['--input-type=module', '-e', PRINT], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(readFileSync(join(ROOT, 'schema/schema.graphql'), 'utf8'), FIX).toBe(printed);
  });

  it('web/src/gql is the codegen output for schema/schema.graphql and the SPA documents', async () => {
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = (await generate({ ...codegenConfig, silent: true }, false)) as {
        filename: string;
        content: string;
      }[];
      const expected = new Map(
        outputs.map((o) => [relative(ROOT, join(ROOT, o.filename)), o.content]),
      );
      const committed = readdirSync(join(ROOT, 'web/src/gql')).map((f) => `web/src/gql/${f}`);
      expect(committed.sort(), FIX).toEqual([...expected.keys()].sort());
      for (const [file, content] of expected)
        expect(readFileSync(join(ROOT, file), 'utf8'), `${file} ${FIX}`).toBe(content);
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);
});
