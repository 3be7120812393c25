import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimStudyFolder, studyOptionsFile } from './study-options-file';

describe('a study folder records its runs options and refuses others (issue 34 item 3)', () => {
  const options = {
    command: 'finetune vit',
    runOptions: { lr: 3e-4, epochs: 3, data: 'fashion-mnist', ratios: [{ heads: 0.3, ffn: 0.3 }] },
    ratios: [{ heads: 0.3, ffn: 0.3 }],
  };
  const fresh = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-study-options-'));

  test('the first call writes study.options.json; the same options again pass', () => {
    const dir = path.join(fresh(), 'study');
    claimStudyFolder(dir, options);
    expect(JSON.parse(fs.readFileSync(studyOptionsFile(dir), 'utf8'))).toEqual({ format: 1, ...options });
    expect(() => claimStudyFolder(dir, JSON.parse(JSON.stringify(options)))).not.toThrow();
    // where the study is and which backend runs it are the call's, not the runs' (a copied folder, another machine)
    expect(() => claimStudyFolder(dir, { ...options, runOptions: { ...options.runOptions, out: '/elsewhere', backend: 'wasm' } })).not.toThrow();
  });

  test('another learning rate, another kind, a ratio the runs did not watch: refused naming the field and both values, nothing written', () => {
    const dir = fresh();
    claimStudyFolder(dir, options);
    const before = fs.readFileSync(studyOptionsFile(dir), 'utf8');
    expect(() => claimStudyFolder(dir, { ...options, runOptions: { ...options.runOptions, lr: 0.5 } })).toThrow(
      `'${dir}' holds a study whose runs had lr 0.0003, not 0.5; use another --out.`,
    );
    expect(() => claimStudyFolder(dir, { ...options, runOptions: { ...options.runOptions, limit: 10 } })).toThrow(/runs had limit \(unset\), not 10/);
    expect(() => claimStudyFolder(dir, { ...options, command: 'pretrain small-vit' })).toThrow(`holds a 'finetune vit' study, not 'pretrain small-vit'`);
    expect(() => claimStudyFolder(dir, { ...options, ratios: [{ heads: 0.8, ffn: 0.8 }] })).toThrow(/watched 0\.3:0\.3, not 0\.8:0\.8/);
    expect(fs.readFileSync(studyOptionsFile(dir), 'utf8')).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['study.options.json']);
  });

  test('a folder with seed runs but no options file (an older ebt, or not a study) is refused, not adopted', () => {
    const dir = fresh();
    fs.mkdirSync(path.join(dir, 'seed-1'));
    expect(() => claimStudyFolder(dir, options)).toThrow(/holds seed folders but no study\.options\.json/);
    expect(fs.existsSync(studyOptionsFile(dir))).toBe(false);
  });

  test("a run folder or another program's files are not a study's: refused, nothing written (issue 34 item 7)", () => {
    const run = fresh();
    fs.writeFileSync(path.join(run, 'run.json'), '{}');
    fs.mkdirSync(path.join(run, 'report'));
    expect(() => claimStudyFolder(run, options)).toThrow(`--out: '${run}' holds a run (run.json), not a study; use another --out.`);
    const other = fresh();
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    expect(() => claimStudyFolder(other, options)).toThrow(`--out: '${other}' holds files a study did not write (notes.txt); use another --out.`);
    expect([fs.readdirSync(run).sort(), fs.readdirSync(other)]).toEqual([['report', 'run.json'], ['notes.txt']]);
    // the pilot, run into DIR/pilot before the full study claims DIR, is the study's own
    const piloted = fresh();
    fs.mkdirSync(path.join(piloted, 'pilot'));
    expect(() => claimStudyFolder(piloted, options)).not.toThrow();
  });

  test('a damaged options file is named', () => {
    const dir = fresh();
    fs.writeFileSync(studyOptionsFile(dir), '{"format": 1, "command": ');
    expect(() => claimStudyFolder(dir, options)).toThrow(/study\.options\.json/);
  });
});
