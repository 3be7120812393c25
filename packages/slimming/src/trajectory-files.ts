/**
 * A trajectory from wherever it was recorded (docs/bring-your-own-run.md): ebt's trajectory.arrow or any long
 * CSV (Trajectory.read), a run folder (its trajectory.arrow), Parquet in the same long format (pandas'
 * `to_parquet`), or the seed's NumPy pair - EarlyBERT's `self_slimming_coef_records.npy` (layers, records,
 * heads) and `inter_slimming_coef_records.npy` (layers, records, neurons), where record t is the state after
 * step t + 1 (the seed records every step) - given as their folder or either file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { parse as parseNpy } from 'npyjs';
import { Trajectory, TrajectoryError } from './trajectory';

/** The seed's file names: heads, then FFN neurons. */
export const SEED_NPY_FILES = { head: 'self_slimming_coef_records.npy', ffn: 'inter_slimming_coef_records.npy' } as const;

/** Reads FILE in any of the formats above, checked as Trajectory.read checks (every coefficient once per step). */
export async function readTrajectory(file: string): Promise<Trajectory> {
  if (!fs.existsSync(file)) throw new TrajectoryError(`Cannot read trajectory '${file}' (ENOENT).`);
  if (fs.statSync(file).isDirectory()) return readFolder(file);
  const name = path.basename(file);
  if (name === SEED_NPY_FILES.head || name === SEED_NPY_FILES.ffn) return readSeedNpy(path.dirname(file));
  if (name.toLowerCase().endsWith('.npy'))
    throw new TrajectoryError(`'${file}': a .npy trajectory is the seed's pair, ${SEED_NPY_FILES.head} and ${SEED_NPY_FILES.ffn}, side by side.`);
  if (name.toLowerCase().endsWith('.parquet')) return readParquet(file);
  return Trajectory.read(file);
}

function readFolder(dir: string): Trajectory {
  if (fs.existsSync(path.join(dir, 'trajectory.arrow'))) return Trajectory.read(path.join(dir, 'trajectory.arrow'));
  if (Object.values(SEED_NPY_FILES).some((f) => fs.existsSync(path.join(dir, f)))) return readSeedNpy(dir);
  throw new TrajectoryError(`'${dir}' holds no trajectory.arrow (an ebt run) and no ${SEED_NPY_FILES.head} / ${SEED_NPY_FILES.ffn} (the seed's pair).`);
}

async function readParquet(file: string): Promise<Trajectory> {
  const bytes = fs.readFileSync(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  let rows: Array<Record<string, unknown>>;
  let names: string[];
  try {
    names = parquetMetadata(buffer)
      .schema.slice(1)
      .map((s) => s.name);
    rows = (await parquetReadObjects({ file: buffer })) as Array<Record<string, unknown>>;
  } catch (e) {
    throw new TrajectoryError(`'${file}' is not a Parquet file: ${(e as Error).message}.`);
  }
  // int64 columns (pandas' default) come back as BigInt
  const column = (c: string) => rows.map((r) => (typeof r[c] === 'bigint' ? Number(r[c]) : r[c]));
  return new Trajectory().pushColumns(file, names, column, rows.length).checked(file);
}

function readSeedNpy(dir: string): Trajectory {
  const [heads, ffn] = (['head', 'ffn'] as const).map((kind) => readNpy(path.join(dir, SEED_NPY_FILES[kind])));
  const [L, T] = heads.shape;
  if (ffn.shape[0] !== L || ffn.shape[1] !== T)
    throw new TrajectoryError(
      `'${dir}': ${SEED_NPY_FILES.head} is ${heads.shape.join(' x ')} and ${SEED_NPY_FILES.ffn} ${ffn.shape.join(' x ')}; both must be (layers, records, units) with the same layers and records.`,
    );
  const t = new Trajectory();
  for (let r = 0; r < T; r++)
    for (const [kind, a] of [heads, ffn].entries())
      for (let l = 0; l < L; l++) {
        const units = a.shape[2];
        for (let i = 0; i < units; i++) t.pushChecked(dir, r + 1, 0, kind, l, i, Number(a.data[(l * T + r) * units + i]));
      }
  return t.checked(dir);
}

function readNpy(file: string): { data: ArrayLike<number | bigint>; shape: number[] } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new TrajectoryError(`Cannot read trajectory '${file}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
  let a;
  try {
    a = parseNpy(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
  } catch (e) {
    throw new TrajectoryError(`'${file}' is not a .npy file: ${(e as Error).message}.`);
  }
  if (a.shape.length !== 3 || a.fortranOrder || !/^[fiu]\d$/.test(a.dtype))
    throw new TrajectoryError(
      `'${file}' holds a ${a.fortranOrder ? 'Fortran-ordered ' : ''}${a.dtype} array of shape (${a.shape.join(', ')}); the seed's records are C-ordered numbers of shape (layers, records, units).`,
    );
  return { data: a.data as unknown as ArrayLike<number | bigint>, shape: a.shape };
}
