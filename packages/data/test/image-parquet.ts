import { parquetWriteBuffer } from 'hyparquet-writer';

/**
 * An image split as the hub stores one: a struct column `column` of {bytes (PNG), path} and an INT64 `label`
 * (uoft-cs/cifar10's `img`, zalando-datasets/fashion_mnist's `image`).
 */
export function imageParquet(column: string, images: Uint8Array[], labels: number[]): Uint8Array {
  return new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: column, data: images.map((bytes) => ({ bytes, path: null })) },
        { name: 'label', data: labels.map(BigInt) },
      ],
      schema: [
        { name: 'schema', num_children: 2 },
        { name: column, repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
      ],
    }),
  );
}
