import { describe, expect, it } from 'vitest';
import { evaluateExpression, ExpressionError, expressionNames, parseExpression } from '../../../lib/engine/expression.js';

const evaluate = (source: string, values: Record<string, number> = {}) => evaluateExpression(parseExpression(source), (n) => values[n]!);

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
    expect(expressionNames(parseExpression('beta * (1 - beta_reduction) + gamma'))).toEqual(['beta', 'beta_reduction', 'gamma']);
  });

  it.each([
    ['beta *', 'expected a number, a parameter name or "(" at position 7, found end of expression'],
    ['(beta', 'expected ")" at position 6'],
    ['beta gamma', 'expected an operator or end of expression at position 6, found "gamma"'],
    ['process.exit(1)', 'unexpected character "." at position 8'],
    ['2 ** 3', 'expected a number, a parameter name or "(" at position 4, found "*"'],
  ])('rejects %s with a positioned message, never evaluating code', (source, message) => {
    expect(() => parseExpression(source)).toThrow(ExpressionError);
    expect(() => parseExpression(source)).toThrow(message);
  });
});
