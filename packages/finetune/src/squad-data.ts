import * as path from 'node:path';
import { readSquad, readSquadParquet, SquadExample } from '@ebt/data';
import { resolveSquad } from '@ebt/hub';

/** `--data squad`: SQuAD v1.1 from the hub (rajpurkar/squad); any other value is a local folder. */
export const SQUAD_BY_NAME = 'squad';

/**
 * The train and dev questions of a SQuAD run: the hub's parquet files for `squad` (into the Hugging Face cache;
 * HF_HUB_OFFLINE=1 reads the cache), or a folder with the official train-v1.1.json and dev-v1.1.json.
 */
export async function loadSquadData(data: string): Promise<{ train: SquadExample[]; dev: SquadExample[] }> {
  if (data === SQUAD_BY_NAME) {
    const files = await resolveSquad();
    return { train: await readSquadParquet(files.train), dev: await readSquadParquet(files.validation) };
  }
  return { train: readSquad(path.join(data, 'train-v1.1.json')), dev: readSquad(path.join(data, 'dev-v1.1.json')) };
}
