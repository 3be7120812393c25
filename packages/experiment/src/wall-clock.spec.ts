import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunError } from '@ebt/errors';
import { readRunClock, secondsAtStep } from './wall-clock';

describe('wall clock of a run', () => {
  const points = [
    { step: 100, seconds: 40 },
    { step: 200, seconds: 90 }, // the epoch's test took 10 s before this epoch's 40 s of training
  ];

  test('a step inside an epoch is placed by linear interpolation from (0, 0)', () => {
    expect(secondsAtStep(points, 0)).toBe(0);
    expect(secondsAtStep(points, 25)).toBe(10);
    expect(secondsAtStep(points, 100)).toBe(40);
    expect(secondsAtStep(points, 150)).toBe(65);
    expect(secondsAtStep(points, 250)).toBe(90);
  });

  test('metrics.csv: train rows are the clock, the last row the whole run; a damaged file is named', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-clock-'));
    const csv = [
      'step,epoch,split,loss,accuracy,lr,seconds,phase,examples',
      '60,0,train,1.2,0.5,0.001,20.000,1,960',
      '100,0,train,1.0,0.6,0.001,34.000,2,640',
      '100,0,test,0.9,0.7,0.001,36.500,0,1000',
    ];
    fs.writeFileSync(path.join(dir, 'metrics.csv'), csv.join('\n') + '\n');
    expect(readRunClock(dir)).toEqual({
      points: [
        { step: 60, seconds: 20 },
        { step: 100, seconds: 34 },
      ],
      totalSeconds: 36.5,
    });
    fs.writeFileSync(path.join(dir, 'metrics.csv'), 'step,epoch,split\n1,0,train\n');
    expect(() => readRunClock(dir)).toThrow(RunError);
    expect(() => readRunClock(dir)).toThrow(/metrics.csv' has no loss, accuracy, lr, seconds column/);
  });
});
