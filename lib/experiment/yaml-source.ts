import { Composer, Document, isNode, LineCounter, Parser } from 'yaml';
import type { z } from 'zod';
import { MAX_YAML_ALIAS_COUNT, MAX_YAML_DEPTH } from './bounds.js';
import { firstAliasAt, keyProblems, tooDeepAt, type ConfigPath } from './yaml-checks.js';

/** `model.transitions[1].rate` */
export function formatPath(path: ConfigPath): string {
  return path.reduce<string>(
    (out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? key : `${out}.${key}`),
    '',
  );
}

/**
 * A parsed YAML file that can point at the line of any path inside it. Input
 * that would exhaust the parser is a problem, never a crash: nesting past
 * MAX_YAML_DEPTH, aliases past MAX_YAML_ALIAS_COUNT (bounds.ts).
 */
export class YamlSource {
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document;
  /** Problems that make the file unreadable (syntax, nesting, aliases, duplicate or `__proto__` keys), formatted. */
  readonly syntaxProblems: string[];
  /** The document as plain JavaScript values; undefined when there are syntax problems. */
  readonly value: unknown;

  constructor(
    /** Path of the file relative to the experiment folder, e.g. `config/model.yaml`. */
    readonly file: string,
    text: string,
  ) {
    const tokens = [...new Parser(this.lineCounter.addNewLine).parse(text)];
    const deep = tooDeepAt(tokens, MAX_YAML_DEPTH);
    if (deep !== undefined) {
      this.doc = new Document(null);
      this.syntaxProblems = [
        this.at(
          deep,
          `nested deeper than ${MAX_YAML_DEPTH} levels of maps and lists (MAX_YAML_DEPTH): expected a flatter file`,
        ),
      ];
      return;
    }
    const [doc, another] = new Composer({ uniqueKeys: false }).compose(tokens, true, text.length);
    this.doc = doc!;
    this.syntaxProblems = this.doc.errors.map((e) =>
      this.at(e.pos[0], `invalid YAML: ${e.message.split('\n')[0]}`),
    );
    if (another)
      this.syntaxProblems.push(
        this.at(another.range[0], 'invalid YAML: a second document: expected one per file'),
      );
    const line = (offset: number) => this.lineCounter.linePos(offset).line;
    if (this.syntaxProblems.length === 0)
      this.syntaxProblems = keyProblems(this.doc, line).map((k) =>
        this.at(k.offset, k.message, k.path),
      );
    if (this.syntaxProblems.length === 0) this.value = this.toJS();
  }

  /** `file: path (line N): message` for an offset in the source. */
  private at(offset: number, message: string, path: ConfigPath = []): string {
    const where = path.length > 0 ? `: ${formatPath(path)}` : '';
    return `${this.file}${where} (line ${this.lineCounter.linePos(offset).line}): ${message}`;
  }

  /** The plain values, or a problem when aliases would expand past MAX_YAML_ALIAS_COUNT (an alias bomb). */
  private toJS(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
    } catch (error) {
      if (!(error instanceof ReferenceError)) throw error;
      const message = `invalid YAML: aliases (*name) expand past ${MAX_YAML_ALIAS_COUNT} copies (MAX_YAML_ALIAS_COUNT): expected fewer aliases`;
      this.syntaxProblems.push(this.at(firstAliasAt(this.doc) ?? 0, message));
      return undefined;
    }
  }

  /** Line of the deepest node along the path that exists (1-based); undefined for an empty document. */
  lineOf(path: ConfigPath): number | undefined {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) return this.lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  }

  /** `file: path (line N): message` */
  problem(path: ConfigPath, message: string): string {
    const line = this.lineOf(path);
    const where = path.length > 0 ? `: ${formatPath(path)}` : '';
    return `${this.file}${where}${line === undefined ? '' : ` (line ${line})`}: ${message}`;
  }

  /** Problems for every zod issue, paths taken relative to `base`. */
  zodProblems(issues: readonly z.core.$ZodIssue[], base: ConfigPath = []): string[] {
    return issues.map((issue) => {
      const path = [...base, ...(issue.path as (string | number)[])];
      if (issue.code === 'unrecognized_keys') {
        return this.problem(
          [...path, issue.keys[0]!],
          `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove or fix the spelling`,
        );
      }
      if (issue.code === 'invalid_key')
        return this.problem(path, issue.issues[0]?.message ?? issue.message);
      return this.problem(path, issue.message);
    });
  }
}
