/**
 * Arithmetic expressions over parameter names, parsed by a small
 * recursive-descent parser (never `eval`). Grammar:
 *
 *   expr    = term (("+" | "-") term)*
 *   term    = unary (("*" | "/" | "%") unary)*
 *   unary   = ("+" | "-") unary | power
 *   power   = primary (("^" | "**") unary)?   (right-associative)
 *   primary = number | name | "(" expr ")"
 *
 * `%` is Python's modulo (the sign of the divisor, `a - b*floor(a/b)`), since
 * the peer engine is Python. Sources longer than {@link MAX_EXPRESSION_LENGTH}
 * characters or nested deeper than {@link MAX_EXPRESSION_DEPTH} levels are
 * rejected with an {@link ExpressionError}, never a stack overflow.
 */
export type Expr =
  | { readonly kind: 'num'; readonly value: number }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'neg'; readonly arg: Expr }
  | {
      readonly kind: 'bin';
      readonly op: BinaryOp | '^';
      readonly left: Expr;
      readonly right: Expr;
    };

/** Longest expression source accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 1000;

/** Deepest nesting of parentheses, signs and powers accepted. */
export const MAX_EXPRESSION_DEPTH = 100;

/** A syntax error with the offending position (0-based character offset). */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const TOKEN =
  /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|(\*\*|[-+*/%^()]))/y;

interface Token {
  readonly text: string;
  readonly kind: 'num' | 'name' | 'op' | 'end';
  readonly position: number;
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let position = 0;
  while (position < source.length) {
    if (/^\s*$/.test(source.slice(position))) break;
    TOKEN.lastIndex = position;
    const match = TOKEN.exec(source);
    if (match === null) {
      const at =
        position + (source.slice(position).length - source.slice(position).trimStart().length);
      throw new ExpressionError(`unexpected character "${source[at]}" at position ${at + 1}`, at);
    }
    const start = match.index + (match[0].length - match[0].trimStart().length);
    const kind = match[1] !== undefined ? 'num' : match[2] !== undefined ? 'name' : 'op';
    tokens.push({ text: match[0].trim(), kind, position: start });
    position = TOKEN.lastIndex;
  }
  tokens.push({ text: '', kind: 'end', position: source.length });
  return tokens;
}

type BinaryOp = '+' | '-' | '*' | '/' | '%';

/** Recursive descent over the token list, one method per grammar rule. */
class Parser {
  private i = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): Expr {
    const result = this.expr();
    if (this.peek().kind !== 'end') this.fail('an operator or end of expression');
    return result;
  }

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private fail(what: string): never {
    const token = this.peek();
    const found = token.kind === 'end' ? 'end of expression' : `"${token.text}"`;
    throw new ExpressionError(
      `expected ${what} at position ${token.position + 1}, found ${found}`,
      token.position,
    );
  }

  private expr(): Expr {
    return this.binary(['+', '-'], () => this.binary(['*', '/', '%'], () => this.unary()));
  }

  private isOp(ops: readonly string[]): boolean {
    return this.peek().kind === 'op' && ops.includes(this.peek().text);
  }

  private binary(ops: readonly BinaryOp[], next: () => Expr): Expr {
    let left = next();
    while (this.isOp(ops)) {
      const op = this.tokens[this.i++]!.text as BinaryOp;
      left = { kind: 'bin', op, left, right: next() };
    }
    return left;
  }

  /** Runs one nested rule, failing past {@link MAX_EXPRESSION_DEPTH} levels. */
  private nested(rule: () => Expr): Expr {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionError(
        `expression nested deeper than ${MAX_EXPRESSION_DEPTH} levels at position ${this.peek().position + 1}`,
        this.peek().position,
      );
    }
    const result = rule();
    this.depth--;
    return result;
  }

  private unary(): Expr {
    if (!this.isOp(['-', '+'])) return this.power();
    const negate = this.tokens[this.i++]!.text === '-';
    const arg = this.nested(() => this.unary());
    return negate ? { kind: 'neg', arg } : arg;
  }

  private power(): Expr {
    const base = this.primary();
    if (!this.isOp(['^', '**'])) return base;
    this.i++;
    return { kind: 'bin', op: '^', left: base, right: this.nested(() => this.unary()) };
  }

  private primary(): Expr {
    const token = this.peek();
    if (token.kind === 'num' || token.kind === 'name') {
      this.i++;
      return token.kind === 'num'
        ? { kind: 'num', value: Number(token.text) }
        : { kind: 'name', name: token.text };
    }
    if (token.text !== '(' || token.kind !== 'op') this.fail('a number, a parameter name or "("');
    this.i++;
    const inner = this.nested(() => this.expr());
    if (!this.isOp([')'])) this.fail('")"');
    this.i++;
    return inner;
  }
}

/** Parses an expression; throws {@link ExpressionError} naming the position of the problem. */
export function parseExpression(source: string): Expr {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(
      `expression of ${source.length} characters, expected at most ${MAX_EXPRESSION_LENGTH}`,
      0,
    );
  }
  return new Parser(tokenize(source)).parse();
}

/** Python's float modulo: the result takes the sign of the divisor (`-7 % 3 = 2`); NaN for a zero divisor. */
function pythonModulo(a: number, b: number): number {
  const m = a % b;
  if (m === 0) return b < 0 ? -0 : 0;
  return m < 0 !== b < 0 ? m + b : m;
}

/** The parameter names an expression refers to, in order of first use. */
export function expressionNames(expression: Expr): string[] {
  const names = new Set<string>();
  const visit = (e: Expr): void => {
    if (e.kind === 'name') names.add(e.name);
    else if (e.kind === 'neg') visit(e.arg);
    else if (e.kind === 'bin') {
      visit(e.left);
      visit(e.right);
    }
  };
  visit(expression);
  return [...names];
}

/** Evaluates an expression; `lookup` returns a name's value (callers check names exist first). */
export function evaluateExpression(expression: Expr, lookup: (name: string) => number): number {
  switch (expression.kind) {
    case 'num':
      return expression.value;
    case 'name':
      return lookup(expression.name);
    case 'neg':
      return -evaluateExpression(expression.arg, lookup);
    case 'bin': {
      const a = evaluateExpression(expression.left, lookup);
      const b = evaluateExpression(expression.right, lookup);
      if (expression.op === '+') return a + b;
      if (expression.op === '-') return a - b;
      if (expression.op === '*') return a * b;
      if (expression.op === '/') return a / b;
      if (expression.op === '%') return pythonModulo(a, b);
      return a ** b;
    }
  }
}
