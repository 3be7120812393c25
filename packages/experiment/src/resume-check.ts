/**
 * What a --resume will read, read first: a damaged checkpoint pair, trajectory, ticket.json or detections.json
 * refuses the resume (exit 2, naming the file) before anything in the folder changes - run.json's `started`
 * and `learning` were rewritten and dropped, then the resume was refused (issue 34 item 5). Read-only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Trajectory } from '@ebt/slimming';
import { resumableCheckpoint } from '@ebt/training';
import { readDetections } from './detections-file';
import { readTicket, TICKET_DIR, TICKET_FILE } from './ticket-file';

export function checkResumable(outDir: string): void {
  resumableCheckpoint(path.join(outDir, 'checkpoints'), () => undefined); // both damaged: refused; the resume itself says which it uses
  const trajectory = path.join(outDir, 'trajectory.arrow');
  if (fs.existsSync(trajectory)) Trajectory.read(trajectory);
  readDetections(outDir);
  if (fs.existsSync(path.join(outDir, TICKET_DIR, TICKET_FILE))) readTicket(path.join(outDir, TICKET_DIR));
}
