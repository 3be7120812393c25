import { parquetWriteBuffer } from 'hyparquet-writer';

/** A GLUE split as the hub's nyu-mll/glue parquet stores it: the task's text columns, an INT64 label (STS-B: FLOAT), an INT32 idx. */
export function glueParquet(columns: Record<string, string[]>, labels: number[], labelType: 'INT64' | 'FLOAT' = 'INT64'): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        ...Object.entries(columns).map(([name, data]) => ({ name, data, type: 'STRING' as const })),
        labelType === 'FLOAT' ? { name: 'label', data: labels, type: 'FLOAT' as const } : { name: 'label', data: labels.map(BigInt), type: 'INT64' as const },
        { name: 'idx', data: labels.map((_, i) => i), type: 'INT32' as const },
      ],
    }),
  );
}
