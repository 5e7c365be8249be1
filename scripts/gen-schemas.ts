// Writes the published JSON Schemas generated from the zod schemas. Run: npx tsx scripts/gen-schemas.ts
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { replaySchema } from '../agents/recording/replay-format';

export function replayJsonSchema(): unknown {
  return { title: 'Keiko replay file', ...z.toJSONSchema(replaySchema) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(new URL('../schemas/replay.schema.json', import.meta.url), JSON.stringify(replayJsonSchema(), null, 2) + '\n');
  console.log('wrote schemas/replay.schema.json');
}
