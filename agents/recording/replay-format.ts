/**
 * The replay file format: one recorded episode, written by the recorder into a run's
 * `replays/` directory and read by the viewer. The JSON Schema in schemas/replay.schema.json is
 * generated from this zod schema (scripts/gen-schemas.ts); a test keeps the two in step.
 */
import { z } from 'zod';

export const REPLAY_FORMAT = 'keiko-replay';
export const REPLAY_VERSION = 1;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

export const renderFrameSchema = z.discriminatedUnion('family', [
  z.object({ family: z.literal('cartpole'), x: finite, theta: finite, xThreshold: finite, thetaThreshold: finite }),
  z.object({
    family: z.literal('mountaincar'),
    position: finite,
    velocity: finite,
    minPosition: finite,
    maxPosition: finite,
    goalPosition: finite,
  }),
  z.object({ family: z.literal('acrobot'), theta1: finite, theta2: finite, linkLength1: finite, linkLength2: finite }),
  z.object({
    family: z.literal('minatar'),
    game: z.string(),
    height: z.number().int().positive(),
    width: z.number().int().positive(),
    channels: z.array(z.string()),
    on: z.array(z.number().int().nonnegative()),
  }),
  z.object({ family: z.literal('observation'), shape: z.array(z.number().int().positive()), data: z.array(z.number()) }),
]);

export const replayStepSchema = z.object({
  /** The frame the agent saw when it chose this action. */
  frame: renderFrameSchema,
  action: z.number().int().nonnegative(),
  actionName: z.string(),
  reward: finite,
  /** Q-values of every action for this observation; null when the policy has none. */
  q: z.array(finite).nullable(),
  /** The exploration rate in force; the action was random with this probability. */
  epsilon: z.number().min(0).max(1),
});

export const replaySchema = z.object({
  format: z.literal(REPLAY_FORMAT),
  version: z.literal(REPLAY_VERSION),
  env: z.object({ id: z.string(), family: z.string() }),
  actionNames: z.array(z.string()).min(1),
  /** The seed of the episode's reset, or the run seed when the reset continued the generator. */
  seed: z.number().int(),
  /** 'train' for a recorded training episode, 'eval' for the first episode of an evaluation. */
  kind: z.enum(['train', 'eval']),
  episode: z.number().int().nonnegative(),
  /** The training step (env steps so far) when the episode ended. */
  trainingStep: z.number().int().nonnegative(),
  steps: z.array(replayStepSchema),
  /** The frame after the last step. */
  finalFrame: renderFrameSchema,
  return: finite,
  length: z.number().int().nonnegative(),
  terminated: z.boolean(),
  truncated: z.boolean(),
});

export type ReplayFile = z.infer<typeof replaySchema>;
export type ReplayStep = z.infer<typeof replayStepSchema>;
