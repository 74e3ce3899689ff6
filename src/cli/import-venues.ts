// npm run import:venues file.csv — adds or updates places in the directory from a CSV file.
// Columns (header row required): kind,name,address,city,country,represents,latitude,longitude[,timezone]
// Rows with bad values are skipped and listed with the reason; a file that cannot be read as
// this CSV (broken quoting, missing columns) imports nothing at all.
import fs from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Knex } from 'knex';
import { importVenues, ImportReport } from '../services/venues';
import { createI18n } from '../lib/i18n';
import { cliContext } from './context';

export const REQUIRED_COLUMNS = ['kind', 'name', 'address', 'city', 'country', 'represents', 'latitude', 'longitude'];
const OPTIONAL_COLUMNS = ['timezone'];

export class BadVenueFile extends Error {}

/** Reads the whole file first, so a broken file is refused before anything is written. */
export function readVenueCsv(text: string): { line: number; fields: Record<string, string> }[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parseCsv(text, { columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()), bom: true, trim: true, skip_empty_lines: true, info: true });
  } catch (error) {
    throw new BadVenueFile(`not a valid CSV file: ${(error as Error).message}`);
  }
  if (rows.length === 0) throw new BadVenueFile('the file has no rows');
  const columns = Object.keys(rows[0].record);
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  if (missing.length) throw new BadVenueFile(`missing column(s): ${missing.join(', ')}`);
  const unknown = columns.filter((c) => !REQUIRED_COLUMNS.includes(c) && !OPTIONAL_COLUMNS.includes(c));
  if (unknown.length) throw new BadVenueFile(`unknown column(s): ${unknown.join(', ')}`);
  return rows.map((r) => ({ line: r.info.lines, fields: r.record }));
}

export async function importVenueFile(
  db: Knex,
  file: string,
  out: { progress?: boolean; log(line: string): void; translate?: (key: string) => string } = { log: console.log },
): Promise<ImportReport> {
  const records = readVenueCsv(fs.readFileSync(file, 'utf8'));
  const bar = out.progress ? new SingleBar({ format: 'Importing places [{bar}] {value}/{total}' }, Presets.shades_classic) : undefined;
  bar?.start(records.length, 0);
  try {
    const report = await importVenues({ db }, records, (done) => bar?.update(done));
    bar?.stop();
    out.log(`${report.imported} place(s) imported or updated, ${report.skipped.length} row(s) skipped.`);
    const say = out.translate ?? ((key: string) => key);
    for (const s of report.skipped) {
      out.log(`  line ${s.line}: ${s.reasons.map((r) => r.replace(/errors\.\w+/g, (key) => say(key))).join('; ')}`);
    }
    return report;
  } catch (error) {
    bar?.stop();
    throw error;
  }
}

async function main() {
  const file = process.argv[2];
  if (!file) {
    console.error('Usage: npm run import:venues <file.csv>');
    process.exit(2);
  }
  const { database } = await cliContext();
  try {
    const t = createI18n('en').t('en');
    await importVenueFile(database.db, file, { progress: process.stdout.isTTY, log: console.log, translate: (key) => t(key) });
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof BadVenueFile || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      console.error(`Nothing imported: ${(error as Error).message}`);
    } else {
      console.error('Nothing imported: the database refused the import.', error);
    }
  } finally {
    await database.close();
  }
}

if (require.main === module) void main();
