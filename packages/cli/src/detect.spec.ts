import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../test/run-cli';

describe('ebt detect on a trajectory EB-train pruned (issue 33 item 2)', () => {
  test("replays the dense part up to the draw and says so, where it failed with 'layer 0 has 3 and 4 entries'", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-detect-'));
    const file = path.join(dir, 'trajectory.csv');
    // steps 0..50 with 4 heads and 4 FFN neurons (head 3 and neuron 0 falling), then from step 60 the pruned model's 3
    const lines = ['step,epoch,kind,layer,index,value'];
    for (let step = 0; step <= 90; step += 10) {
      const pruned = step >= 60;
      const heads = pruned ? [1, 0.9, 0.8] : [1, 0.9, 0.8, Math.max(0, 0.7 - step / 100)];
      const ffn = pruned ? [0.9, 0.8, 0.7] : [Math.max(0, 0.6 - step / 100), 0.9, 0.8, 0.7];
      heads.forEach((v, i) => lines.push(`${step},0,head,0,${i},${v}`));
      ffn.forEach((v, i) => lines.push(`${step},0,ffn,0,${i},${v}`));
    }
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = runCli(['detect', '--trajectory', file, '--criterion', 'mask-distance', '--queue', '2', '--ratio-heads', '0.25', '--ratio-ffn', '0.25']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.points).toBe(6);
    expect(out.note).toBe('the model was pruned at step 60 (EB-train): the 6 points before it were replayed');
    // head 3 and neuron 0 are the smallest from step 0 on: two equal masks in a row draw at step 10
    expect(out.drawnAt).toEqual({ step: 10, epoch: 0 });
  });
});
