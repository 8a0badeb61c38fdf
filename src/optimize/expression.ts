/**
 * Objective and constraint expressions written as text over named quantities
 * (decision variables, context values and model outputs), e.g.
 * `(F_A + F_B) * (1143.38 * xP + 25.92 * xE) - 76.23 * F_A - 114.34 * F_B`.
 *
 * Parsed once into a small tree and evaluated with the core's tensor ops, so every expression is
 * differentiable by the same autodiff that trains the models. A hand-written recursive-descent parser:
 * the grammar is tiny and we need the tree to compile to our own ops, which no expression package does.
 *
 * Grammar: expr := term (('+'|'-') term)* ; term := unary (('*'|'/') unary)* ;
 * unary := '-' unary | power ; power := atom ('^' unary)? ;
 * atom := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'.
 * Functions: exp, log, sqrt, abs, square, min, max, tanh; and `sd(y)`, the model's predictive
 * standard deviation of output y (a name of its own, `sd(y)`, supplied by models with uncertainty).
 */
import { Tensor } from '../tensor/tensor.js';
import { abs, add, div, exp, log, maximum, minimum, mul, neg, pow, sqrt, square, sub, tanh } from '../tensor/ops/index.js';

export type ExpressionNode =
  | { kind: 'number'; value: number }
  | { kind: 'name'; name: string }
  | { kind: 'unary'; op: '-'; arg: ExpressionNode }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: ExpressionNode; right: ExpressionNode }
  | { kind: 'call'; fn: string; args: ExpressionNode[] };

const functions: Record<string, { arity: number; apply: (args: Tensor[]) => Tensor }> = {
  exp: { arity: 1, apply: ([a]) => exp(a) },
  log: { arity: 1, apply: ([a]) => log(a) },
  sqrt: { arity: 1, apply: ([a]) => sqrt(a) },
  abs: { arity: 1, apply: ([a]) => abs(a) },
  square: { arity: 1, apply: ([a]) => square(a) },
  tanh: { arity: 1, apply: ([a]) => tanh(a) },
  min: { arity: 2, apply: ([a, b]) => minimum(a, b) },
  max: { arity: 2, apply: ([a, b]) => maximum(a, b) },
};

/** A parsed expression: its text, tree, and the names it reads. */
export interface Expression {
  readonly text: string;
  readonly tree: ExpressionNode;
  readonly names: ReadonlySet<string>;
}

/**
 * Parses `text`; `where` names the place for error messages (e.g. "objective", "constraint 2").
 * @example parseExpression('xA - 0.12', 'constraint xA').names // Set {'xA'}
 */
export function parseExpression(text: string, where = 'expression'): Expression {
  const tokens = tokenize(text, where);
  let pos = 0;
  const names = new Set<string>();
  const fail = (msg: string): never => {
    const at = pos < tokens.length ? tokens[pos].at : text.length;
    throw new SyntaxError(`${where}: ${msg} at column ${at + 1} in '${text}'`);
  };
  const peek = (): string | undefined => tokens[pos]?.text;
  const expect = (t: string): void => {
    if (peek() !== t) fail(`expected '${t}'${peek() === undefined ? ' but the expression ended' : ` but found '${peek()}'`}`);
    pos++;
  };
  const expr = (): ExpressionNode => {
    let left = term();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[pos++].text as '+' | '-';
      left = { kind: 'binary', op, left, right: term() };
    }
    return left;
  };
  const term = (): ExpressionNode => {
    let left = unary();
    while (peek() === '*' || peek() === '/') {
      const op = tokens[pos++].text as '*' | '/';
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): ExpressionNode => {
    if (peek() === '-') {
      pos++;
      return { kind: 'unary', op: '-', arg: unary() };
    }
    if (peek() === '+') {
      pos++;
      return unary();
    }
    return power();
  };
  const power = (): ExpressionNode => {
    const base = atom();
    if (peek() === '^') {
      pos++;
      return { kind: 'binary', op: '^', left: base, right: unary() };
    }
    return base;
  };
  const atom = (): ExpressionNode => {
    const tok = tokens[pos];
    if (tok === undefined) return fail('expected a number, a name or "("');
    if (tok.type === 'number') {
      pos++;
      return { kind: 'number', value: Number(tok.text) };
    }
    if (tok.type === 'name') {
      pos++;
      if (tok.text === 'sd' && peek() === '(') {
        // sd(y) reads the model's standard deviation of output y: one name, bound like any other.
        pos++;
        const inner = tokens[pos];
        if (inner?.type !== 'name' || tokens[pos + 1]?.text !== ')') fail("sd() takes one output name, e.g. 'sd(xG)'");
        pos += 2;
        const name = `sd(${inner.text})`;
        names.add(name);
        return { kind: 'name', name };
      }
      if (peek() === '(') {
        const fn = functions[tok.text];
        if (fn === undefined) {
          pos--;
          fail(`unknown function '${tok.text}' (known: ${Object.keys(functions).join(', ')}, sd)`);
        }
        pos++;
        const args = [expr()];
        while (peek() === ',') {
          pos++;
          args.push(expr());
        }
        expect(')');
        if (args.length !== fn.arity) fail(`${tok.text}() takes ${fn.arity} argument(s), got ${args.length}`);
        return { kind: 'call', fn: tok.text, args };
      }
      names.add(tok.text);
      return { kind: 'name', name: tok.text };
    }
    if (tok.text === '(') {
      pos++;
      const inner = expr();
      expect(')');
      return inner;
    }
    return fail(`unexpected '${tok.text}'`);
  };
  const tree = expr();
  if (pos < tokens.length) fail(`unexpected '${tokens[pos].text}' after a complete expression`);
  return { text, tree, names };
}

/**
 * Evaluates an expression with tensor ops. `values` maps each name to a tensor (all of the same shape,
 * e.g. [n, 1] for n candidate points) or a number.
 */
export function evaluateExpression(e: Expression, values: ReadonlyMap<string, Tensor | number>, where = 'expression'): Tensor {
  const asTensor = (v: Tensor | number): Tensor => (typeof v === 'number' ? Tensor.scalar(v) : v);
  const walk = (n: ExpressionNode): Tensor => {
    switch (n.kind) {
      case 'number':
        return Tensor.scalar(n.value);
      case 'name': {
        const v = values.get(n.name);
        if (v === undefined) {
          throw new RangeError(`${where}: unknown name '${n.name}' in '${e.text}' (known: ${[...values.keys()].sort().join(', ')})`);
        }
        return asTensor(v);
      }
      case 'unary':
        return neg(walk(n.arg));
      case 'binary': {
        const l = walk(n.left);
        const r = walk(n.right);
        switch (n.op) {
          case '+':
            return add(l, r);
          case '-':
            return sub(l, r);
          case '*':
            return mul(l, r);
          case '/':
            return div(l, r);
          case '^':
            return n.right.kind === 'number' && n.right.value === 2 ? square(l) : pow(l, r);
        }
      }
      // falls through: every binary op returns above
      case 'call':
        return functions[n.fn].apply(n.args.map(walk));
    }
  };
  return walk(e.tree);
}

/** Checks that every name an expression reads is known; the error names the unknown variable. */
export function checkNames(e: Expression, known: ReadonlySet<string>, where: string): void {
  for (const name of e.names) {
    if (!known.has(name)) {
      throw new RangeError(`${where}: unknown variable '${name}' in '${e.text}' (known: ${[...known].sort().join(', ')})`);
    }
  }
}

interface Token {
  type: 'number' | 'name' | 'symbol';
  text: string;
  at: number;
}

function tokenize(text: string, where: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|([-+*/^(),]))/y;
  let i = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (m === null) {
      const at = i + (text.slice(i).length - text.slice(i).trimStart().length);
      throw new SyntaxError(`${where}: unexpected character '${text[at]}' at column ${at + 1} in '${text}'`);
    }
    const at = re.lastIndex - m[0].trimStart().length;
    if (m[1] !== undefined) tokens.push({ type: 'number', text: m[1], at });
    else if (m[2] !== undefined) tokens.push({ type: 'name', text: m[2], at });
    else tokens.push({ type: 'symbol', text: m[3], at });
    i = re.lastIndex;
  }
  return tokens;
}
