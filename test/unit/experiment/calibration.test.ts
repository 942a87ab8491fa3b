import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { buildTaskInputs } from '../../../lib/experiment/expand.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { type LoadOptions } from '../../../lib/experiment/experiment.js';
import { forecastExperiment } from '../stages/forecast-fixture.js';

/** The problems of loading the forecast fixture with edits, or [] when it loads. */
function problemsOf(
  edit: (files: Record<string, string>) => void,
  options: LoadOptions = {},
): string[] {
  const files = forecastExperiment();
  edit(files);
  try {
    loadExperiment(new Map(Object.entries(files)), options);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [...error.problems];
  }
}

const modelset = (files: Record<string, string>, from: string | RegExp, to: string) => {
  files['config/modelset.yaml'] = files['config/modelset.yaml']!.replace(from, to);
};

describe('modelset.calibration validation', () => {
  it('accepts the fixture and cuts the data at reference_date - 7', () => {
    expect(problemsOf(() => {})).toEqual([]);
    const exp = loadExperiment(new Map(Object.entries(forecastExperiment())));
    const [ma] = buildTaskInputs(exp, { expId: 'e', runId: 'r' });
    expect(ma!.calibration!.observed.dates[0]).toBe('2024-11-02');
    expect(ma!.calibration!.observed.dates.at(-1)).toBe('2025-01-04');
    expect(ma!.calibration!.free.map((q) => q.name)).toEqual(['R0', 'rho', 'amp', 'I', 'R']);
  });

  it('names file, path, line and expectation for each broken rule, all at once', () => {
    const problems = problemsOf((f) => {
      modelset(f, 'transition: E_to_I', 'transition: S_to_I');
      modelset(f, 'reporting_fraction: rho', 'reporting_fraction: rhoo');
      modelset(f, /R0: \{ type: uniform/, 'gamma: { type: uniform');
    });
    expect(problems).toEqual([
      expect.stringMatching(
        /model\.parameters\.R0 \(line \d+\): parameter "R0" is of type sampled but no modelset sampling or calibration prior gives it values/,
      ),
      expect.stringMatching(
        /^config\/modelset\.yaml: modelset\.calibration\.observed\.transition \(line \d+\): unknown transition "S_to_I": expected one of S_to_E, E_to_I, I_to_R$/,
      ),
      expect.stringMatching(
        /^config\/modelset\.yaml: modelset\.calibration\.observed\.reporting_fraction \(line \d+\): unknown parameter "rhoo"/,
      ),
      expect.stringMatching(
        /modelset\.calibration\.priors\.parameters\.gamma \(line \d+\): "gamma" is not a parameter of type sampled in the basemodel: expected one of R0, rho, amp$/,
      ),
    ]);
  });

  it('wants Saturdays, a window before the reference date and a simulation that covers the first fitted week', () => {
    expect(
      problemsOf((f) => modelset(f, 'reference_date: 2025-01-11', 'reference_date: 2025-01-10')),
    ).toEqual([
      expect.stringMatching(
        /modelset\.calibration\.reference_date \(line \d+\): it is a Friday: expected a Saturday \(2025-01-04 or 2025-01-11\)/,
      ),
    ]);
    expect(
      problemsOf((f) => modelset(f, 'start_date: 2024-11-02', 'start_date: 2025-01-11'))[0],
    ).toMatch(
      /window\.start_date \(line \d+\): the fitting window starts 2025-01-11, after the last week the fit may see \(2025-01-04/,
    );
    expect(
      problemsOf((f) => modelset(f, 'start_date: 2024-11-02', 'start_date: 2024-10-26'))[0],
    ).toMatch(
      /^config\/modelset\.yaml: modelset\.calibration\.window\.start_date \(line \d+\): the first fitted week \(2024-10-20 to 2024-10-26\) starts before the simulation \(model\.timespan\.start_date 2024-10-27\)/,
    );
  });

  it('refuses data that is missing, malformed, or lacks the last observed week of a location', () => {
    expect(problemsOf((f) => delete f['data/target-hospital-admissions.csv'])[0]).toMatch(
      /modelset\.calibration\.data \(line \d+\): file "data\/target-hospital-admissions\.csv" not found/,
    );
    const bad = problemsOf((f) => {
      f['data/target-hospital-admissions.csv'] = f['data/target-hospital-admissions.csv']!.replace(
        /\n(2025-01-04,"25","Massachusetts"),600,/,
        '\n$1,-3,',
      );
    });
    expect(bad).toEqual([
      expect.stringMatching(
        /^data\/target-hospital-admissions\.csv \(line \d+\), column value: expected a number >= 0 or NA, got "-3"$/,
      ),
    ]);
    const gap = problemsOf((f) => {
      f['data/target-hospital-admissions.csv'] = f['data/target-hospital-admissions.csv']!.replace(
        /\n2025-01-04,"56",[^\n]*/,
        '',
      );
    });
    expect(gap).toEqual([
      expect.stringMatching(
        /data\/target-hospital-admissions\.csv has no value for US-WY \(location "56"\) for the week ending 2025-01-04/,
      ),
    ]);
  });

  it('applies a reference-date override, and refuses one for an experiment without calibration', () => {
    const exp = loadExperiment(new Map(Object.entries(forecastExperiment())), {
      referenceDate: '2024-12-14',
    });
    expect(exp.modelset!.calibration!.reference_date).toBe('2024-12-14');
    const plain = problemsOf((f) => modelset(f, /\n {2}calibration:[\s\S]*/, '\n'), {
      referenceDate: '2024-12-14',
    });
    expect(plain[0]).toMatch(
      /a reference date \(2024-12-14\) was given for the run, but the experiment has no modelset\.calibration/,
    );
  });
});
