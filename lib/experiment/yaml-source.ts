import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';

/** A path inside a parsed file: object keys and array indexes. */
export type ConfigPath = readonly (string | number)[];

/** `model.transitions[1].rate` */
export function formatPath(path: ConfigPath): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out === '' ? key : `${out}.${key}`), '');
}

/** A parsed YAML file that can point at the line of any path inside it. */
export class YamlSource {
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document;
  /** Syntax errors, already formatted as problems. */
  readonly syntaxProblems: string[];

  constructor(
    /** Path of the file relative to the experiment folder, e.g. `config/model.yaml`. */
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    this.syntaxProblems = this.doc.errors.map((e) => {
      const line = e.linePos?.[0].line ?? this.lineCounter.linePos(e.pos[0]).line;
      return `${file} (line ${line}): invalid YAML: ${e.message.split('\n')[0]}`;
    });
  }

  /** The document as plain JavaScript values. */
  get value(): unknown {
    return this.doc.toJS();
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
      return this.problem(path, issue.message);
    });
  }
}
