import * as fs from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import { DataError } from './errors';

/**
 * The rows of a parquet file as objects (hyparquet). `utf8: false` keeps byte-array columns without a UTF8
 * annotation as bytes (the hub's image columns) instead of decoding them as text.
 */
export async function readParquetRows(file: string, options: { utf8?: boolean } = {}): Promise<Array<Record<string, unknown>>> {
  try {
    const bytes = fs.readFileSync(file);
    const buffer = {
      byteLength: bytes.length,
      slice: (start: number, end?: number) => bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + (end ?? bytes.length)),
    };
    return (await parquetReadObjects({ file: buffer, utf8: options.utf8 ?? true })) as Array<Record<string, unknown>>;
  } catch (e) {
    throw new DataError(`Cannot read '${file}' as parquet (${(e as Error).message}).`);
  }
}
