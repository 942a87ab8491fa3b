import { describe, expect, it } from 'vitest';
import {
  evaluateExpression,
  ExpressionError,
  expressionNames,
  MAX_EXPRESSION_DEPTH,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
} from '../../../lib/engine/expression.js';

const evaluate = (source: string, values: Record<string, number> = {}) =>
  evaluateExpression(parseExpression(source), (n) => values[n]!);

describe('expressions', () => {
  it('follows the usual precedence and associativity', () => {
    expect(evaluate('1 + 2 * 3')).toBe(7);
    expect(evaluate('(1 + 2) * 3')).toBe(9);
    expect(evaluate('2 ^ 3 ^ 2')).toBe(512);
    expect(evaluate('-2 ^ 2')).toBe(-4);
    expect(evaluate('8 / 4 / 2')).toBe(1);
    expect(evaluate('10 - 4 - 3')).toBe(3);
    expect(evaluate('1.5e-1 * 2 + .5')).toBeCloseTo(0.8);
    expect(evaluate('R0 * gamma / (1 - x)', { R0: 2, gamma: 0.25, x: 0.5 })).toBe(1);
  });

  it('lists the names an expression uses', () => {
    expect(expressionNames(parseExpression('beta * (1 - beta_reduction) + gamma'))).toEqual([
      'beta',
      'beta_reduction',
      'gamma',
    ]);
  });

  it.each([
    ['beta *', 'expected a number, a parameter name or "(" at position 7, found end of expression'],
    ['(beta', 'expected ")" at position 6'],
    ['beta gamma', 'expected an operator or end of expression at position 6, found "gamma"'],
    ['process.exit(1)', 'unexpected character "." at position 8'],
    ['2 *** 3', 'expected a number, a parameter name or "(" at position 5, found "*"'],
    ['2 % % 3', 'expected a number, a parameter name or "(" at position 5, found "%"'],
  ])('rejects %s with a positioned message, never evaluating code', (source, message) => {
    expect(() => parseExpression(source)).toThrow(ExpressionError);
    expect(() => parseExpression(source)).toThrow(message);
  });

  it('reads ** as ^ (right-associative, below unary minus as in Python)', () => {
    expect(evaluate('2 ** 3 ** 2')).toBe(512);
    expect(evaluate('-2 ** 2')).toBe(-4);
    expect(evaluate('2 ** -1')).toBe(0.5);
    expect(evaluate('2 ^ 3 ** 2')).toBe(512);
    expect(evaluate('R0 ** 2 * gamma', { R0: 3, gamma: 0.5 })).toBe(4.5);
  });

  it('takes % as Python floor-modulo, at the precedence of * and /', () => {
    expect(evaluate('7 % 3')).toBe(1);
    expect(evaluate('-7 % 3')).toBe(2);
    expect(evaluate('7 % -3')).toBe(-2);
    expect(evaluate('-7 % -3')).toBe(-1);
    expect(evaluate('5.5 % 2')).toBe(1.5);
    expect(evaluate('-0.5 % 1')).toBe(0.5);
    expect(evaluate('1 + 7 % 4 * 2')).toBe(7); // (7 % 4) * 2, left to right
    expect(evaluate('2 * 7 % 4')).toBe(2); // (2 * 7) % 4
    expect(evaluate('day % 7', { day: -1 })).toBe(6);
    expect(evaluate('5 % 0')).toBeNaN(); // Python raises; validation reports the non-finite value
  });

  it('rejects deep nesting and long sources with an ExpressionError, not a stack overflow', () => {
    const nested = (n: number) => `${'('.repeat(n)}1${')'.repeat(n)}`;
    expect(evaluate(nested(MAX_EXPRESSION_DEPTH - 1))).toBe(1);
    for (const source of [
      nested(MAX_EXPRESSION_DEPTH + 1),
      '-'.repeat(MAX_EXPRESSION_DEPTH + 1) + '1',
      Array(120).fill('2').join('^'),
    ]) {
      expect(() => parseExpression(source)).toThrow(ExpressionError);
      expect(() => parseExpression(source)).toThrow(
        `nested deeper than ${MAX_EXPRESSION_DEPTH} levels`,
      );
    }
    const long = Array(600).fill('1').join('+');
    expect(() => parseExpression(long)).toThrow(
      `expression of ${long.length} characters, expected at most ${MAX_EXPRESSION_LENGTH}`,
    );
    expect(() => parseExpression('('.repeat(100_000))).toThrow(ExpressionError);
    expect(evaluate(Array(400).fill('1').join('+'))).toBe(400); // long flat sums stay iterative
  });
});
