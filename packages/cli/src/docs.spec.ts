/** docs/cli.md against the command registry and the run kinds, so the manual cannot drift from --help. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BERT_PRESETS, PRESETS } from '@ebt/pretrain';
import { COMMANDS } from './commands/registry';
import { COMMAND_KINDS, RUN_KINDS } from './commands/run-kinds';

const cliMd = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'cli.md'), 'utf8');
const rows = cliMd.split('\n').filter((l) => l.startsWith('| `'));

describe('docs/cli.md', () => {
  test('has a row for every command of the registry', () => {
    expect(COMMANDS.map((c) => c.name).filter((name) => !rows.some((r) => r.startsWith(`| \`${name}`)))).toEqual([]);
  });

  test('has a row for every run kind, pretrain and finetune, and names every study kind', () => {
    for (const [group, kinds] of Object.entries(COMMAND_KINDS))
      for (const kind of kinds)
        expect({ kind: `${group} ${kind.name}`, row: rows.some((r) => r.startsWith(`| \`${group} ${kind.name}`)) }).toEqual({
          kind: `${group} ${kind.name}`,
          row: true,
        });
    const study = rows.find((r) => r.startsWith('| `study'))!;
    for (const kind of RUN_KINDS) expect(study).toContain(kind.studyName ?? kind.name);
  });

  test('lists every preset of the pretraining kinds as --help does', () => {
    const presets = (command: string) => {
      const row = rows.find((r) => r.startsWith(`| \`${command}`))!;
      return row
        .match(/--preset ([^\]]+)\]/)![1]
        .split('\\|')
        .sort();
    };
    expect(presets('pretrain small-vit')).toEqual(Object.keys(PRESETS).sort());
    expect(presets('pretrain bert')).toEqual(Object.keys(BERT_PRESETS).sort());
  });
});
