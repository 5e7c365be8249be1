/**
 * CSV datasets from a string (browser-safe; node/datasets/csv-file.ts reads files). Every column
 * except the label must be numeric; a bad cell is an error naming its line and column.
 */
import Papa from 'papaparse';
import type { Dataset } from './types';

export class CsvError extends Error {
  override name = 'CsvError';
}

export interface CsvOptions {
  /** The label column: a header name or a 0-based index (default: the last column). */
  label?: string | number;
  /** 'classification' (labels become class indices) or 'regression' (numeric target). Default classification. */
  task?: 'classification' | 'regression';
  /** Whether the first line is a header; 'auto' (default) = yes when any of its cells is not a number. */
  header?: boolean | 'auto';
  /** Field separator (default ','). */
  delimiter?: string;
}

interface Row {
  /** 1-based line the record starts on. */
  line: number;
  cells: string[];
}

/**
 * The records of `text` (RFC 4180 quoting, by papaparse) without blank and `#` comment lines,
 * cells trimmed, each with the line it starts on.
 */
function readRows(text: string, delimiter: string): Row[] {
  const rows: Row[] = [];
  let cursor = 0;
  let nextLine = 1;
  let problem: string | null = null;
  Papa.parse<string[]>(text, {
    delimiter,
    step: (r, parser) => {
      // The parser reports where each record ends; a quoted cell may span lines.
      const line = nextLine;
      nextLine += text.slice(cursor, r.meta.cursor).split(r.meta.linebreak).length - 1;
      cursor = r.meta.cursor;
      if (r.errors.length > 0) {
        problem = `line ${line}: ${r.errors[0]!.message.toLowerCase()}`;
        parser.abort();
        return;
      }
      const cells = r.data.map((c) => c.trim());
      if ((cells.length === 1 && cells[0] === '') || cells[0]!.startsWith('#')) return;
      rows.push({ line, cells });
    },
  });
  if (problem !== null) throw new CsvError(problem);
  return rows;
}

function isNumber(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

/** Integer class labels must be below this (they are used as class indices). */
export const MAX_INTEGER_CLASSES = 100_000;

/** Parse CSV text into a dataset. Line numbers in errors are 1-based as in an editor. */
export function parseCsv(text: string, opts: CsvOptions = {}): Dataset & { featureNames: string[] } {
  const { task = 'classification', header = 'auto', delimiter = ',' } = opts;
  const rows = readRows(text, delimiter);
  if (rows.length === 0) throw new CsvError('CSV is empty');
  const hasHeader = header === 'auto' ? rows[0].cells.some((c) => !isNumber(c)) : header;
  const names = hasHeader ? rows[0].cells : rows[0].cells.map((_, i) => `column${i}`);
  const data = hasHeader ? rows.slice(1) : rows;
  if (data.length === 0) throw new CsvError('CSV has a header but no data rows');
  const width = names.length;
  if (width < 2) throw new CsvError(`CSV needs at least 2 columns (features and a label), line ${rows[0].line} has ${width}`);

  let labelCol: number;
  if (opts.label === undefined) labelCol = width - 1;
  else if (typeof opts.label === 'number') labelCol = opts.label;
  else if (/^\d+$/.test(opts.label) && !names.includes(opts.label)) labelCol = Number(opts.label);
  else {
    labelCol = names.indexOf(opts.label);
    if (labelCol < 0) throw new CsvError(`label column "${opts.label}" not found; columns are: ${names.join(', ')}`);
  }
  if (!(labelCol >= 0 && labelCol < width)) throw new CsvError(`label column index ${labelCol} is outside [0, ${width - 1}]`);

  const f = width - 1;
  const x = new Float32Array(data.length * f);
  const rawLabels: string[] = [];
  data.forEach(({ line, cells }, r) => {
    if (cells.length !== width) {
      throw new CsvError(`line ${line}: expected ${width} columns, found ${cells.length}`);
    }
    let j = 0;
    for (let c = 0; c < width; c++) {
      if (c === labelCol) continue;
      const v = Number(cells[c]);
      if (!isNumber(cells[c])) {
        throw new CsvError(`line ${line}, column ${c + 1} ("${names[c]}"): "${cells[c]}" is not a number`);
      }
      x[r * f + j++] = v;
    }
    rawLabels.push(cells[labelCol]);
  });
  const featureNames = names.filter((_, c) => c !== labelCol);

  if (task === 'regression') {
    const targets = new Float32Array(data.length);
    rawLabels.forEach((s, r) => {
      if (!isNumber(s)) {
        throw new CsvError(`line ${data[r].line}, column ${labelCol + 1} ("${names[labelCol]}"): "${s}" is not a number`);
      }
      targets[r] = Number(s);
    });
    return { task, size: data.length, sampleShape: [f], x, targets, targetSize: 1, featureNames };
  }
  // Classification: integer labels 0..k-1 are used as they are; anything else is mapped to indices
  // in sorted order of first appearance-independent names.
  const allInts = rawLabels.every((s) => /^\d+$/.test(s));
  let labels: Int32Array;
  let classNames: string[];
  if (allInts) {
    // A loop, not Math.max(...labels): spreading a large dataset overflows the call stack. An
    // integer label is a class index, so a huge one would allocate that many classes: refused.
    let k = 0;
    rawLabels.forEach((s, r) => {
      const v = Number(s);
      if (v >= MAX_INTEGER_CLASSES) {
        throw new CsvError(
          `line ${data[r].line}, column ${labelCol + 1} ("${names[labelCol]}"): class label ${s} is too large (integer labels are class indices 0..k-1, at most ${MAX_INTEGER_CLASSES} classes; use task 'regression' for a numeric target)`,
        );
      }
      if (v + 1 > k) k = v + 1;
    });
    labels = Int32Array.from(rawLabels, Number);
    classNames = Array.from({ length: k }, (_, i) => String(i));
  } else {
    classNames = [...new Set(rawLabels)].sort();
    const index = new Map(classNames.map((n, i) => [n, i]));
    labels = Int32Array.from(rawLabels, (s) => index.get(s)!);
  }
  return { task, size: data.length, sampleShape: [f], x, labels, numClasses: classNames.length, classNames, featureNames };
}
