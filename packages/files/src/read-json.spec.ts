import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonFileError, readJsonFile } from './read-json';

describe('readJsonFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-json-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads JSON', () => {
    fs.writeFileSync(path.join(dir, 'a.json'), '{"step": 3}');
    expect(readJsonFile<{ step: number }>(path.join(dir, 'a.json')).step).toBe(3);
  });

  it('names a file cut short, with exit 2', () => {
    const file = path.join(dir, 'detections.json');
    fs.writeFileSync(file, '{"criteria": [');
    const e = (() => {
      try {
        readJsonFile(file);
      } catch (err) {
        return err as JsonFileError;
      }
    })();
    expect(e).toBeInstanceOf(JsonFileError);
    expect(e!.exitCode).toBe(2);
    expect(e!.message).toMatch(new RegExp(`^'${file.replace(/[.]/g, '\\.')}' is not valid JSON \\(.+\\): the file is damaged\\.$`));
  });

  it('names a file it cannot read', () => {
    expect(() => readJsonFile(path.join(dir, 'missing.json'))).toThrow(`Cannot read '${path.join(dir, 'missing.json')}' (ENOENT).`);
  });
});
