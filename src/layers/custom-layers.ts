/**
 * The two layers tfjs does not have: the dueling merge (Q = V + A − mean(A)) and a dropout whose
 * masks come from Keiko's seeded generator. Both are registered with tfjs serialisation so a
 * model's topology JSON (model.toJSON / tf.models.modelFromJSON) round-trips.
 */
import * as tf from '@tensorflow/tfjs';
import { Random } from '../random';

type Shape = (number | null)[];

/** Inputs [V (batch, 1), A (batch, n)] → Q = V + A − mean(A over the last axis). */
export class DuelingMerge extends tf.layers.Layer {
  static readonly className = 'KeikoDuelingMerge';

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shapes = inputShape as Shape[];
    if (!Array.isArray(shapes[0]) || shapes.length !== 2) {
      throw new Error('dueling merge needs exactly two branches: [value (1 unit), advantages (n units)]');
    }
    const [v, a] = shapes as [Shape, Shape];
    if (v[v.length - 1] !== 1) {
      throw new Error(`dueling merge: branch 0 (value) must end in 1 unit, got shape [${v.join(', ')}]`);
    }
    if (v.length !== 2 || a.length !== 2) {
      throw new Error(`dueling merge: both branches must output (batch, units); got [${v.join(', ')}] and [${a.join(', ')}] (add a flatten?)`);
    }
    return a;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const [v, a] = inputs as tf.Tensor[];
      return tf.add(v!, tf.sub(a!, tf.mean(a!, -1, true)));
    });
  }

  override getClassName(): string {
    return DuelingMerge.className;
  }
}
tf.serialization.registerClass(DuelingMerge);

export interface SeededDropoutArgs {
  rate: number;
  seed: number;
  name?: string;
  trainable?: boolean;
}

/**
 * Dropout with reproducible masks: each training call draws a fresh seed from a generator
 * seeded once. (tf.layers.dropout with a fixed `seed` reuses ONE mask forever; without it, it
 * uses Math.random.) Inverted dropout: kept units are scaled by 1/(1 − rate); identity at inference.
 */
export class SeededDropout extends tf.layers.Layer {
  static readonly className = 'KeikoSeededDropout';
  readonly rate: number;
  readonly seed: number;
  private readonly rng: Random;

  constructor(args: SeededDropoutArgs) {
    super({ name: args.name, trainable: args.trainable });
    this.rate = args.rate;
    this.seed = args.seed;
    this.rng = new Random(args.seed);
    this.supportsMasking = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (!kwargs?.training || this.rate === 0) return x;
    return tf.dropout(x, this.rate, undefined, this.rng.uint32());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }

  override getClassName(): string {
    return SeededDropout.className;
  }
}
tf.serialization.registerClass(SeededDropout);
