import { defineWorkflow } from '../src/engine/index.js';

/** The workflow every benchmark runs: five sequential trivial steps. */
export const STEPS = 5;

export const fiveSteps = defineWorkflow({
  name: 'bench.five-steps',
  version: 1,
  async run(ctx, input) {
    let acc = input as number;
    for (let i = 0; i < STEPS; i++) acc = await ctx.step(`step-${i}`, () => acc + 1);
    return acc;
  },
});
