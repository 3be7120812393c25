/** Image preprocessing through @huggingface/transformers' AutoImageProcessor (preprocessor_config.json). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors';
import { transformersLocal } from './tokenizer';

export interface ProcessedImages {
  /** NCHW float32 */
  data: Float32Array;
  shape: [number, number, number, number];
}

export class ImagePreprocessor {
  private constructor(
    private readonly processor: any,
    private readonly RawImage: any,
  ) {}

  /** The processor DIR's preprocessor_config.json describes, or null when DIR has none. */
  static async fromPretrained(dir: string): Promise<ImagePreprocessor | null> {
    if (!fs.existsSync(path.join(dir, 'preprocessor_config.json'))) return null;
    const { AutoImageProcessor, RawImage } = await transformersLocal();
    try {
      return new ImagePreprocessor(await AutoImageProcessor.from_pretrained(path.resolve(dir)), RawImage);
    } catch (e) {
      throw new ConfigError(`Cannot load '${path.join(dir, 'preprocessor_config.json')}': ${(e as Error).message.split('\n')[0]}`);
    }
  }

  /** Images as 8-bit HWC pixels (1 or 3 channels) -> the model's pixel_values. */
  async process(images: Array<{ pixels: Uint8Array; width: number; height: number; channels: 1 | 3 }>): Promise<ProcessedImages> {
    const raw = images.map(({ pixels, width, height, channels }) => {
      if (pixels.length !== width * height * channels) {
        throw new RangeError(`image of ${width}x${height}x${channels} needs ${width * height * channels} bytes, got ${pixels.length}.`);
      }
      return new this.RawImage(new Uint8ClampedArray(pixels), width, height, channels);
    });
    const out = await this.processor(raw);
    const t = out.pixel_values;
    return { data: Float32Array.from(t.data as Float32Array), shape: t.dims as [number, number, number, number] };
  }
}
