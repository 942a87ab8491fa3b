import type { ModelSpec } from './spec.js';

/** The reference SIR case: S->I mediated by I (beta 0.3), I->R (gamma 0.1), N = 1e6, I0 = 10. */
export function sirSpec(overrides: Partial<ModelSpec> = {}, n = 1_000_000, i0 = 10): ModelSpec {
  return {
    compartments: ['S', 'I', 'R'],
    groups: ['0'],
    groupSizes: [n],
    contact: [[1]],
    init: { S: [n - i0], I: [i0], R: [0] },
    parameters: { beta: [0.3], gamma: [0.1] },
    transitions: [
      { type: 'mediated', source: 'S', target: 'I', rate: 'beta', mediator: 'I' },
      { type: 'spontaneous', source: 'I', target: 'R', rate: 'gamma' },
    ],
    startDay: 19723, // 2024-01-01
    dt: 1,
    steps: 200,
    ...overrides,
  };
}

/** The reference SEIR case (compartments Susceptible, Exposed, Infected, Recovered). */
export function seirSpec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  const n = 1_000_000;
  return {
    compartments: ['Susceptible', 'Exposed', 'Infected', 'Recovered'],
    groups: ['0'],
    groupSizes: [n],
    contact: [[1]],
    init: { Susceptible: [n - 10], Exposed: [0], Infected: [10], Recovered: [0] },
    parameters: { beta: [0.3], sigma: [0.2], gamma: [0.1] },
    transitions: [
      {
        type: 'mediated',
        source: 'Susceptible',
        target: 'Exposed',
        rate: 'beta',
        mediator: 'Infected',
      },
      { type: 'spontaneous', source: 'Exposed', target: 'Infected', rate: 'sigma' },
      { type: 'spontaneous', source: 'Infected', target: 'Recovered', rate: 'gamma' },
    ],
    startDay: 19723,
    dt: 1,
    steps: 200,
    ...overrides,
  };
}

/** A 5-age-group SEIR with a contact matrix, two transitions between one pair and a calculated-looking rate. */
export function ageSeirSpec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  const sizes = [60_000, 170_000, 420_000, 190_000, 160_000];
  const contact = [
    [2.6, 1.5, 5.2, 1.2, 0.6],
    [0.5, 8.9, 4.3, 1.1, 0.5],
    [0.7, 1.7, 8.6, 2.0, 0.6],
    [0.4, 1.0, 4.5, 3.4, 1.0],
    [0.2, 0.5, 1.6, 1.1, 2.7],
  ];
  return {
    compartments: ['S', 'E', 'I', 'R'],
    groups: ['0-4', '5-17', '18-49', '50-64', '65+'],
    groupSizes: sizes,
    contact,
    init: {
      S: sizes.map((s, g) => s - (g === 2 ? 20 : 0)),
      E: [0, 0, 0, 0, 0],
      I: [0, 0, 20, 0, 0],
      R: [0, 0, 0, 0, 0],
    },
    parameters: {
      beta: [0.025, 0.025, 0.025, 0.025, 0.025],
      sigma: [0.2, 0.2, 0.2, 0.2, 0.2],
      gamma: [0.1, 0.1, 0.1, 0.1, 0.12],
    },
    transitions: [
      { type: 'mediated', source: 'S', target: 'E', rate: 'beta', mediator: 'I' },
      { type: 'spontaneous', source: 'E', target: 'I', rate: 'sigma' },
      { type: 'spontaneous', source: 'I', target: 'R', rate: 'gamma * 0.5' },
      { type: 'spontaneous', source: 'I', target: 'R', rate: 'gamma / 2' },
    ],
    startDay: 19723,
    dt: 1,
    steps: 200,
    ...overrides,
  };
}
