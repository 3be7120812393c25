/** The task protocol between executors and runners: the argument forms, both ways. */
import { parseTaskArgument, taskArgument } from './index';

test('a list of cells, the K-th of a list, and a cell given inline', () => {
  expect(taskArgument('/runs/x/slurm/stage.cells.json')).toBe('@/runs/x/slurm/stage.cells.json');
  expect(taskArgument('/runs/x/cells.json', 3)).toBe('@/runs/x/cells.json#3');
  // a queue's array index, left for the shell to fill in
  expect(taskArgument('/c.json', '${SLURM_ARRAY_TASK_ID}')).toBe('@/c.json#${SLURM_ARRAY_TASK_ID}');
  expect(parseTaskArgument(taskArgument('/runs/x/cells.json'))).toEqual({ file: '/runs/x/cells.json' });
  expect(parseTaskArgument(taskArgument('/runs/x/cells.json', 3))).toEqual({ file: '/runs/x/cells.json', index: 3 });
  expect(parseTaskArgument('{"file":"/runs/x/cell.json"}')).toBeNull();
});
