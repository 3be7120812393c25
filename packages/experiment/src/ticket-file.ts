/**
 * ticket/ticket.json: what EB-train drew - the criterion, the step, the masks and the mask options, and the
 * pruned shape - beside the pruned model (ticket/config.json, model.safetensors). Written last of the ticket,
 * atomically; read back by a resumed run, the report and the study. docs/run-folder.md describes it.
 */
import { z } from 'zod';
import { CRITERION_NAMES } from '@ebt/eb-criteria';
import { UsageError } from '@ebt/errors';

import { jsonRunFile } from './json-file';

/** The folder of a run that holds its drawn ticket. */
export const TICKET_DIR = 'ticket';

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

const ticketFile = jsonRunFile(TICKET_FILE, ticketSchema, TicketFileError);

/** Writes TICKET_DIR/ticket.json atomically, checked first. */
export const writeTicket: (ticketDir: string, ticket: TicketInfo) => void = ticketFile.write;

/** TICKET_DIR/ticket.json, checked against the schema; null when there is none. */
export const readTicket: (ticketDir: string) => TicketInfo | null = ticketFile.read;
