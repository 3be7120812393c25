import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetricsFileError, readMetrics, writeMetrics } from './index';
import type { MetricsRow } from './index';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-metrics-'));

describe('metrics.csv', () => {
  test("round trip: the score is the file's accuracy column; seconds kept to the millisecond", () => {
    const file = path.join(tmp(), 'metrics.csv');
    const rows: MetricsRow[] = [
      { step: 5, epoch: 0, split: 'train', loss: 0.75, score: 0.5, lr: 1e-3, seconds: 1.23456, phase: 1, examples: 40 },
      { step: 5, epoch: 0, split: 'test', loss: 0.5, score: -0.25, lr: 1e-3, seconds: 2, phase: 2, examples: 10 },
    ];
    writeMetrics(file, rows);
    expect(fs.readFileSync(file, 'utf8')).toBe(
      'step,epoch,split,loss,accuracy,lr,seconds,phase,examples\n5,0,train,0.75,0.5,0.001,1.235,1,40\n5,0,test,0.5,-0.25,0.001,2.000,2,10\n',
    );
    expect(readMetrics(file)).toEqual([{ ...rows[0], seconds: 1.235 }, rows[1]]);
  });

  test('a file of ebt 0.1 (no phase, no examples) reads as one phase', () => {
    const file = path.join(tmp(), 'metrics.csv');
    fs.writeFileSync(file, 'step,epoch,split,loss,accuracy,lr,seconds\n3,0,test,1,0.9,0.1,4\n');
    expect(readMetrics(file)).toEqual([{ step: 3, epoch: 0, split: 'test', loss: 1, score: 0.9, lr: 0.1, seconds: 4, phase: 1, examples: 0 }]);
  });

  test('a damaged file is named with its line and column', () => {
    const dir = tmp();
    const write = (text: string) => {
      fs.writeFileSync(path.join(dir, 'metrics.csv'), text);
      return () => readMetrics(path.join(dir, 'metrics.csv'));
    };
    expect(write('step,epoch,split\n1,0,train\n')).toThrow(/metrics.csv' has no loss, accuracy, lr, seconds column/);
    expect(write('step,epoch,split,loss,accuracy,lr,seconds\n1,0,train,0.5,0.5,0.1,1\n2,0,train,x,0.5,0.1,1\n')).toThrow(
      /metrics.csv' line 3: loss is 'x', not a number/,
    );
    expect(write('step,epoch,split,loss,accuracy,lr,seconds\n1,0,dev,0.5,0.5,0.1,1\n')).toThrow(MetricsFileError);
    expect(() => readMetrics(path.join(dir, 'none.csv'))).toThrow(/Cannot read '.*none.csv' \(ENOENT\)/);
  });
});
