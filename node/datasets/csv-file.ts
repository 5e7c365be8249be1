/** CSV datasets from a file (Node); parsing lives in supervised/datasets/csv.ts. */
import { readFileSync } from 'node:fs';
import { parseCsv, CsvError, type CsvOptions } from '../../supervised/datasets/csv';

export function loadCsvFile(path: string, opts: CsvOptions = {}): ReturnType<typeof parseCsv> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new CsvError(`cannot read CSV file ${path}: ${(err as Error).message}`);
  }
  try {
    return parseCsv(text, opts);
  } catch (err) {
    if (err instanceof CsvError) throw new CsvError(`${path}: ${err.message}`);
    throw err;
  }
}
