/**
 * Bad input, property-based: CSV datasets (parseCsv, loadCsvFile). Valid tables parse to the
 * numbers they hold; a bad cell, a ragged row, an open quote, a missing label column or a huge
 * class index is a CsvError naming the line (and column); arbitrary text never throws anything
 * but a CsvError.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvError, MAX_INTEGER_CLASSES, parseCsv } from '../supervised/datasets/csv';
import { loadCsvFile } from '../node/datasets/csv-file';
import { expectClean, runProperty } from './fixtures/fuzz/helpers';

const root = mkdtempSync(join(tmpdir(), 'keiko-fuzz-csv-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cell = fc.oneof(fc.integer({ min: -1000, max: 1000 }).map(String), fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((x) => String(Math.fround(x))));
const table = fc.integer({ min: 2, max: 6 }).chain((width) =>
  fc.record({
    width: fc.constant(width),
    header: fc.constantFrom('c', 'feat_', 'x').map((p) => Array.from({ length: width }, (_, i) => `${p}${i}`)),
    rows: fc.array(fc.tuple(fc.array(cell, { minLength: width - 1, maxLength: width - 1 }), fc.integer({ min: 0, max: 4 })), { minLength: 1, maxLength: 30 }),
    blank: fc.boolean(),
  }),
);
type Table = { width: number; header: string[]; rows: [string[], number][]; blank: boolean };
const render = (t: Table) => [t.header.join(','), ...t.rows.flatMap(([x, y], i) => [...(t.blank && i === 1 ? ['', '# note'] : []), [...x, String(y)].join(',')])].join('\n');

describe('fuzz: CSV datasets', () => {
  it('valid tables parse to their values (1,000 cases)', () => {
    runProperty('csv (valid)', table, (t) => {
      const d = parseCsv(render(t));
      expect(d.size).toBe(t.rows.length);
      expect(d.featureNames).toEqual(t.header.slice(0, -1));
      expect(Array.from(d.x)).toEqual(t.rows.flatMap(([x]) => x.map(Number)).map(Math.fround));
      if (d.task === 'classification') expect(Array.from(d.labels)).toEqual(t.rows.map(([, y]) => y));
    }, 1000);
  });

  it('one broken row is a CsvError naming its line (1,500 cases)', () => {
    const broken = fc.record({
      t: table,
      row: fc.nat(),
      how: fc.constantFrom('text', 'empty', 'nan', 'short', 'long', 'quote', 'inf', 'hugeLabel'),
      junk: fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[,"\n\r]/.test(s) && !Number.isFinite(Number(s.trim())) && !s.trim().startsWith('#')),
    });
    runProperty('csv (broken row)', broken, ({ t, row, how, junk }) => {
      const r = row % t.rows.length;
      const [x, y] = t.rows[r]!;
      const cells = [...x, String(y)];
      if (how === 'text') cells[0] = junk;
      if (how === 'empty') cells[0] = '';
      if (how === 'nan') cells[0] = 'NaN';
      if (how === 'inf') cells[0] = 'Infinity';
      if (how === 'short') cells.pop();
      if (how === 'long') cells.push('1');
      if (how === 'quote') cells[0] = `"${cells[0]}`;
      if (how === 'hugeLabel') cells[cells.length - 1] = String(MAX_INTEGER_CLASSES + row);
      const rows = t.rows.map(([a, b]) => [...a, String(b)].join(','));
      rows[r] = cells.join(',');
      const text = [t.header.join(','), ...rows].join('\n');
      // A row with only one (empty) cell is skipped as a blank line; that is not an error.
      if (how === 'short' && t.width === 2 && cells[0] === '') return;
      const mentions = how === 'quote' ? ['line '] : [`line ${r + 2}`];
      expectClean(() => parseCsv(text), CsvError, mentions);
    }, 1500);
  });

  it('label options: an unknown name lists the columns, an index outside is named (500 cases)', () => {
    runProperty('csv (label)', fc.tuple(table, fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 20 }))), ([t, label]) => {
      const text = render(t);
      let d: ReturnType<typeof parseCsv>;
      try {
        d = parseCsv(text, { label });
      } catch (err) {
        const e = expectClean(() => { throw err; }, CsvError);
        // A feature column chosen as the label may hold integers too large for class indices.
        expect(/label column|is too large|is not a number/.test(e.message), e.message).toBe(true);
        if (typeof label === 'string' && !/^\d+$/.test(label) && /not found/.test((err as Error).message)) for (const h of t.header) expect((err as Error).message).toContain(h);
        return;
      }
      expect(d.featureNames.length).toBe(t.width - 1);
    }, 500);
  });

  it('arbitrary text and bytes: parsed or a CsvError, nothing else (2,000 cases)', () => {
    const text = fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: fc.constantFrom('1', ',', '"', '\n', '\r', 'a', '#', ' ', '.', 'e', '-', ';', '\t'), maxLength: 60 }));
    runProperty('csv (text)', fc.tuple(text, fc.constantFrom(',', ';', '\t')), ([t, delimiter]) => {
      try {
        const d = parseCsv(t, { delimiter });
        expect(d.size).toBeGreaterThan(0);
      } catch (err) {
        expectClean(() => { throw err; }, CsvError);
      }
    }, 2000);
  });

  it('large files: 200,000 rows and a huge class label are handled (2 cases)', () => {
    const many = Array.from({ length: 200_000 }, (_, i) => `${i % 7},${i % 3}`).join('\n');
    expect(parseCsv(many).size).toBe(200_000);
    expectClean(() => parseCsv('a,b\n1,0\n2,99999999999999999999'), CsvError, ['line 3, column 2 ("b")', 'too large']);
  });

  it('files: a missing or bad file is a CsvError naming the path (100 cases)', () => {
    let n = 0;
    runProperty('csv (file)', fc.oneof(fc.string({ maxLength: 40 }), table.map(render), fc.constant(null)), (t) => {
      const path = join(root, `d${n++}.csv`);
      if (t !== null) writeFileSync(path, t);
      try {
        loadCsvFile(path);
      } catch (err) {
        expectClean(() => { throw err; }, CsvError, [path]);
      }
    }, 100);
  });
});
