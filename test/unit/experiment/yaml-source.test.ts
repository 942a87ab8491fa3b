import { describe, expect, it } from 'vitest';
import { MAX_YAML_ALIAS_COUNT, MAX_YAML_DEPTH } from '../../../lib/experiment/bounds.js';
import { YamlSource } from '../../../lib/experiment/yaml-source.js';
import { problemsOf, SIR_MODEL } from './fixtures.js';

const withMeta = (meta: string) =>
  SIR_MODEL.replace('  random_seed: 1\n', `  random_seed: 1\n  meta:\n${meta}`);

describe('hostile YAML', () => {
  it('refuses an alias bomb with a problem naming the line, not an "Excessive alias count" crash', () => {
    const levels = Array.from({ length: 9 }, (_, i) =>
      i === 0
        ? '    a0: &a0 [x, x, x, x, x, x, x, x, x, x]'
        : `    a${i}: &a${i} [${Array<string>(10)
            .fill(`*a${i - 1}`)
            .join(', ')}]`,
    );
    expect(problemsOf({ 'config/model.yaml': withMeta(`${levels.join('\n')}\n`) })).toEqual([
      `config/model.yaml (line 6): invalid YAML: aliases (*name) expand past ${MAX_YAML_ALIAS_COUNT} copies (MAX_YAML_ALIAS_COUNT): expected fewer aliases`,
    ]);
  });

  it.each([
    ['flow lists', `    deep: ${'['.repeat(3000)}${']'.repeat(3000)}\n`, 5],
    ['flow maps', `    deep: ${'{a: '.repeat(3000)}1${'}'.repeat(3000)}\n`, 5],
    [
      'block maps',
      `${Array.from({ length: 200 }, (_, i) => `${' '.repeat(4 + i)}k:`).join('\n')} 1\n`,
      5 + MAX_YAML_DEPTH - 2,
    ],
  ])('refuses %s nested thousands deep at their line, naming the bound', (_, meta, line) => {
    expect(problemsOf({ 'config/model.yaml': withMeta(meta) })).toEqual([
      `config/model.yaml (line ${line}): nested deeper than ${MAX_YAML_DEPTH} levels of maps and lists (MAX_YAML_DEPTH): expected a flatter file`,
    ]);
  });

  it('names the duplicate key, its path and both lines', () => {
    const problems = problemsOf({
      'config/model.yaml': SIR_MODEL.replace('    beta: 0.3\n', '    beta: 0.3\n    beta: 0.4\n'),
    });
    expect(problems).toEqual([
      'config/model.yaml: model.parameters.beta (line 31): duplicate key "beta" (first on line 30): expected each key once',
    ]);
  });

  it('reports a syntax error once, without a second, wrong problem about the model root', () => {
    const output = 'output:\n  model_metadata: true\n';
    expect(
      problemsOf({
        'config/model.yaml': 'model:\n  name: [unclosed\n',
        'config/output.yaml': output,
      }),
    ).toEqual([expect.stringMatching(/^config\/model\.yaml \(line \d\): invalid YAML: /)]);
  });

  it('refuses a second document and a "__proto__" key anywhere', () => {
    expect(new YamlSource('c.yaml', 'a: 1\n---\nb: 2\n').syntaxProblems).toEqual([
      'c.yaml (line 2): invalid YAML: a second document: expected one per file',
    ]);
    expect(
      new YamlSource('c.yaml', 'model:\n  meta:\n    __proto__: {polluted: true}\n').syntaxProblems,
    ).toEqual([
      'c.yaml: model.meta.__proto__ (line 3): key "__proto__" is reserved (every JavaScript object has it): rename it',
    ]);
  });

  it('refuses an expression of ~3,000 nested parentheses without echoing all of it', () => {
    const rate = `${'('.repeat(3000)}gamma${')'.repeat(3000)}`;
    const [problem, ...rest] = problemsOf({
      'config/model.yaml': SIR_MODEL.replace('rate: gamma', `rate: "${rate}"`),
    });
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      /^config\/model\.yaml: model\.transitions\[1\]\.rate \(line 28\): invalid expression "\(+\.\.\.": expression of 6005 characters, expected at most 1000$/,
    );
    const nested = `${'('.repeat(150)}gamma${')'.repeat(150)}`;
    expect(
      problemsOf({ 'config/model.yaml': SIR_MODEL.replace('rate: gamma', `rate: "${nested}"`) })[0],
    ).toMatch(/nested deeper than 100 levels/);
  });
});
