import { isAlias, isMap, isScalar, isSeq, type CST, type Document, type Node } from 'yaml';

/** A path inside a parsed file: object keys and array indexes. */
export type ConfigPath = readonly (string | number)[];

/**
 * Offset of a map or list nested deeper than `limit` levels in parsed YAML
 * tokens, or undefined. Walks with an explicit stack, so any depth is safe
 * (the yaml library composes documents recursively and would overflow).
 */
export function tooDeepAt(tokens: readonly CST.Token[], limit: number): number | undefined {
  const stack: [CST.Token, number][] = tokens.map((token) => [token, 0]);
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [token, depth] = next;
    if (token.type === 'document' && token.value) stack.push([token.value, depth]);
    if (
      token.type !== 'block-map' &&
      token.type !== 'block-seq' &&
      token.type !== 'flow-collection'
    )
      continue;
    if (depth >= limit) return token.offset;
    for (const item of token.items) {
      if ('key' in item && item.key) stack.push([item.key, depth + 1]);
      if (item.value) stack.push([item.value, depth + 1]);
    }
  }
  return undefined;
}

/** A map key that cannot be used: repeated in its map, or `__proto__`. */
export interface KeyProblem {
  readonly path: ConfigPath;
  /** Offset of the key in the source. */
  readonly offset: number;
  readonly message: string;
}

function mapKeyProblems(
  map: Node,
  path: ConfigPath,
  problems: KeyProblem[],
  line: (offset: number) => number,
): [Node, ConfigPath][] {
  if (!isMap(map)) return [];
  const seen = new Map<string, number>();
  const children: [Node, ConfigPath][] = [];
  for (const pair of map.items) {
    if (!isScalar(pair.key) || !pair.key.range) continue;
    const key = String(pair.key.value);
    const offset = pair.key.range[0];
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        path: [...path, key],
        offset,
        message: `duplicate key "${key}" (first on line ${line(first)}): expected each key once`,
      });
    } else if (key === '__proto__') {
      problems.push({
        path: [...path, key],
        offset,
        message: 'key "__proto__" is reserved (every JavaScript object has it): rename it',
      });
    }
    seen.set(key, first ?? offset);
    if (pair.value) children.push([pair.value as Node, [...path, key]]);
  }
  return children;
}

/** Duplicate and `__proto__` keys of every map in a composed document, with their paths (explicit stack, aliases not followed). */
export function keyProblems(doc: Document, line: (offset: number) => number): KeyProblem[] {
  const problems: KeyProblem[] = [];
  const stack: [Node, ConfigPath][] = doc.contents ? [[doc.contents, []]] : [];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, path] = next;
    if (isSeq(node)) node.items.forEach((item, i) => stack.push([item as Node, [...path, i]]));
    else stack.push(...mapKeyProblems(node, path, problems, line));
  }
  return problems.sort((a, b) => a.offset - b.offset);
}

/** Offset of the first alias (`*name`) in a document, for a problem about aliases. */
export function firstAliasAt(doc: Document): number | undefined {
  let first: number | undefined;
  const stack: Node[] = doc.contents ? [doc.contents] : [];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (isAlias(node) && node.range) first = Math.min(first ?? Infinity, node.range[0]);
    if (isSeq(node)) stack.push(...(node.items as Node[]));
    if (isMap(node))
      for (const pair of node.items)
        stack.push(...([pair.key, pair.value].filter(Boolean) as Node[]));
  }
  return first;
}
