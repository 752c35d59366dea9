import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { documentHasNul, jsonHasNul } from './no-nul-strings.ts';

describe('NUL detection', () => {
  it.each([
    [null, false],
    ['plain', false],
    ['a\u0000b', true],
    [{ a: ['x', { b: 'y\u0000' }] }, true],
    [{ 'k\u0000': 1 }, true],
    [Array.from({ length: 500_000 }, () => 1), false],
    [{ a: 1, b: [true, 2.5, 'ok'] }, false],
  ])('variables %#', (value, has) => expect(jsonHasNul(value)).toBe(has));

  it.each([
    ['{ a(x: "ok") }', false],
    ['{ a(x: "a\\u0000b") }', true],
    ['{ a(x: {y: ["\\u0000"]}) }', true],
    ['{ a(x: """block \\u0000 is literal text""") }', false],
    ['query ($v: String = "\\u0000") { a(x: $v) }', true],
  ])('document %s', (source, has) => expect(documentHasNul(parse(source))).toBe(has));
});
