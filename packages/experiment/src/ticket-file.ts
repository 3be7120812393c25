/**
 * ticket/ticket.json: what EB-train drew - the criterion, the step, the masks and the mask options, and the
 * pruned shape - beside the pruned model (ticket/config.json, model.safetensors). Written last of the ticket,
 * atomically; read back by a resumed run, the report and the study. docs/run-folder.md describes it.
 */
import { writeFileAtomic } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { CRITERION_NAMES } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';

import { readJsonAgainst } from './json-file';

export const TICKET_FILE = 'ticket.json';

const count = z.number().int().nonnegative();
const mask = z.array(z.array(z.number().int().min(0).max(1)));
const scope = z.enum(['global', 'layerwise']);

const ticketSchema = z.object({
  criterion: z.enum(CRITERION_NAMES),
  step: count,
  epoch: count,
  /** heads kept per layer */
  heads: z.array(count),
  /** FFN neurons kept per layer */
  intermediateSizes: z.array(count),
  masks: z.object({ heads: mask, ffn: mask }),
  options: z.object({ ratioHeads: z.number().min(0).max(1), ratioFfn: z.number().min(0).max(1), scopeHeads: scope, scopeFfn: scope }),
});

export type TicketInfo = z.infer<typeof ticketSchema>;

/** A ticket.json that is not JSON or does not follow the schema. */
export class TicketFileError extends UsageError {}

/** Writes DIR/ticket.json atomically, checked first, so that no reader ever sees a bad one. */
export function writeTicket(ticketDir: string, ticket: TicketInfo): void {
  writeFileAtomic(path.join(ticketDir, TICKET_FILE), JSON.stringify(ticketSchema.parse(ticket), null, 1) + '\n');
}

/** DIR/ticket.json, checked against the schema; null when there is none. */
export function readTicket(ticketDir: string): TicketInfo | null {
  const file = path.join(ticketDir, TICKET_FILE);
  return fs.existsSync(file) ? readJsonAgainst(file, ticketSchema, TicketFileError) : null;
}
