/**
 * Test setup: tfjs's cpu backend greets Node users with an "install our node backend" banner on
 * first use. Keiko reports backends itself (src/backend.ts silences it the same way); tests that
 * pick the cpu backend directly would print it in every file.
 */
import * as tf from '@tensorflow/tfjs';

const cpu = tf.findBackend('cpu') ?? (await tf.setBackend('cpu'), tf.findBackend('cpu'));
if (cpu) (cpu as unknown as { firstUse?: boolean }).firstUse = false;
