/** ticket.json and detections.json: written checked, read back as written, a bad file named with its field. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DetectionsFileError, readDetections, readTicket, TicketFileError, TicketInfo, writeDetections, writeTicket } from './index';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'ebt-run-files-'));

const ticket: TicketInfo = {
  criterion: 'nuclear-stationarity',
  step: 1000,
  epoch: 7,
  heads: [3, 3],
  intermediateSizes: [5, 4],
  masks: {
    heads: [
      [1, 1, 0, 1],
      [0, 1, 1, 1],
    ],
    ffn: [
      [1, 1, 1, 1, 1, 0],
      [1, 0, 1, 1, 1, 0],
    ],
  },
  options: { ratioHeads: 1 / 3, ratioFfn: 0.4, scopeHeads: 'layerwise', scopeFfn: 'global' },
};

test('ticket.json: read back as written; none is null; a bad field is named with the file', () => {
  const dir = tmp();
  expect(readTicket(dir)).toBeNull();
  writeTicket(dir, ticket);
  expect(readTicket(dir)).toEqual(ticket);
  const file = path.join(dir, 'ticket.json');
  fs.writeFileSync(file, JSON.stringify({ ...ticket, criterion: 'hamming' }));
  expect(() => readTicket(dir)).toThrow(TicketFileError);
  expect(() => readTicket(dir)).toThrow(new RegExp(`'${file}': field 'criterion': .*\\(got "hamming"\\)`));
  fs.writeFileSync(file, JSON.stringify({ ...ticket, masks: { ...ticket.masks, heads: [[1, 2]] } }));
  expect(() => readTicket(dir)).toThrow(/field 'masks\.heads\.0\.1': .*\(got 2\)/);
  fs.writeFileSync(file, '{"criterion":');
  expect(() => readTicket(dir)).toThrow(new RegExp(`'${file}' is not valid JSON`));
  // nothing bad is ever written
  expect(() => writeTicket(dir, { ...ticket, step: -1 })).toThrow();
});

test('detections.json: read back as written, the criteria own details kept whole; a bad field is named', () => {
  const dir = tmp();
  expect(readDetections(dir)).toBeNull();
  const detections = {
    totalSteps: 1500,
    criteria: [
      {
        criterion: 'mask-distance' as const,
        ratio: { heads: 0.3, ffn: 0.3 },
        drawnAt: { step: 8, epoch: 0 },
        coefficientsAtDraw: { step: 8, epoch: 0, heads: [[1, 0.9]], ffn: [[0.5]] },
        details: { options: { ratioHeads: 0.3 }, history: [1, 2] },
      },
      {
        criterion: 'nuclear-stationarity' as const,
        ratio: { heads: 0.3, ffn: 0.3 },
        drawnAt: null,
        coefficientsAtDraw: null,
        details: { signal: { steps: [] } },
      },
    ],
  };
  writeDetections(dir, detections);
  expect(readDetections(dir)).toEqual(detections);
  // a file of ebt before one criterion per ratio has no ratio: read as null (its details' options say)
  const { ratio: _r, ...older } = detections.criteria[0];
  fs.writeFileSync(path.join(dir, 'detections.json'), JSON.stringify({ ...detections, criteria: [older] }));
  expect(readDetections(dir)!.criteria[0].ratio).toBeNull();
  const file = path.join(dir, 'detections.json');
  fs.writeFileSync(file, JSON.stringify({ ...detections, totalSteps: 'many' }));
  expect(() => readDetections(dir)).toThrow(DetectionsFileError);
  expect(() => readDetections(dir)).toThrow(new RegExp(`'${file}': field 'totalSteps': .*\\(got "many"\\)`));
  fs.writeFileSync(file, JSON.stringify({ ...detections, criteria: [{ ...detections.criteria[0], drawnAt: { step: 'eight', epoch: 0 } }] }));
  expect(() => readDetections(dir)).toThrow(/field 'criteria\.0\.drawnAt\.step'/);
});
