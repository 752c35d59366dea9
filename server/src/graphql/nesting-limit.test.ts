import { describe, expect, it } from 'vitest';
import { nestingDepth } from './nesting-limit.ts';

describe('nestingDepth', () => {
  it.each([
    ['', 0],
    ['{ a }', 1],
    ['{ a(x: [1, {b: [2]}]) { b } }', 5],
    ['query ($v: [[String]]) { a }', 3],
    ['{ a(x: "{{{[[[((( ") }', 2],
    ['{ a(x: "\\" {{{") }', 2],
    ['{ a(x: """ {{{ \\""" [[[ """) }', 2],
    ['# {{{{{{\n{ a }', 1],
    ['}}}]]) { a }', 1],
    ['{ a(x: "unterminated {{{', 2],
    [`{ a(x: ${'['.repeat(5000)}${']'.repeat(5000)}) }`, 5002],
  ])('%s → %i', (source, depth) => expect(nestingDepth(source)).toBe(depth));

  it('stops counting past the limit', () => {
    expect(nestingDepth('['.repeat(1_000_000), 128)).toBe(129);
  });
});
