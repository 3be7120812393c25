/** Text tokenisation through @huggingface/transformers' AutoTokenizer, from a local folder only. */
import { readJsonFile } from '@ebt/files';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from './errors';
import { BertTokenizerConfig, wordPieceTokenizerJson } from './wordpiece';

type Transformers = typeof import('@huggingface/transformers');

/** Loads @huggingface/transformers lazily (it is large) and forbids it any network access. */
export async function transformersLocal(): Promise<Transformers> {
  const t = (await import('@huggingface/transformers')) as Transformers;
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.localModelPath = '';
  return t;
}

export interface EncodedText {
  inputIds: number[][];
  attentionMask: number[][];
  tokenTypeIds: number[][];
}

export interface EncodeOptions {
  /** second segments (sentence pairs, or SQuAD's context after the question) */
  pairs?: string[];
  /** truncate to this many tokens (default: the tokenizer's model_max_length) */
  maxLength?: number;
  /** 'longest' pads to the longest in the batch (default); 'max_length' to maxLength */
  padding?: 'longest' | 'max_length';
}

export class TextTokenizer {
  private constructor(
    private readonly tokenizer: any,
    readonly dir: string,
  ) {}

  /**
   * DIR holds tokenizer.json and tokenizer_config.json (the `tokenizers` format), or a BERT WordPiece vocab.txt
   * (with tokenizer_config.json, or BERT's defaults), converted as transformers converts a slow tokenizer.
   */
  static async fromPretrained(dir: string): Promise<TextTokenizer> {
    const has = (f: string) => fs.existsSync(path.join(dir, f));
    if (!has('tokenizer.json') && has('vocab.txt')) {
      const config = has('tokenizer_config.json') ? readJsonFile<BertTokenizerConfig & Record<string, unknown>>(path.join(dir, 'tokenizer_config.json')) : {};
      let json: Record<string, unknown>;
      try {
        json = wordPieceTokenizerJson(fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8'), config);
      } catch (e) {
        throw new ConfigError(`Cannot build a tokenizer from '${path.join(dir, 'vocab.txt')}': ${(e as Error).message}`);
      }
      const { BertTokenizer } = await transformersLocal();
      return new TextTokenizer(new BertTokenizer(json, { model_max_length: 512, ...config }), dir);
    }
    const missing = ['tokenizer.json', 'tokenizer_config.json'].filter((f) => !has(f));
    if (missing.length) {
      throw new ConfigError(
        `Tokenizer folder '${dir}' lacks ${missing.join(' and ')} (and has no WordPiece vocab.txt); save the tokenizer with transformers' tokenizer.save_pretrained(dir) (a fast tokenizer writes tokenizer.json).`,
      );
    }
    const { AutoTokenizer } = await transformersLocal();
    try {
      return new TextTokenizer(await AutoTokenizer.from_pretrained(path.resolve(dir)), dir);
    } catch (e) {
      throw new ConfigError(`Cannot load the tokenizer in '${dir}': ${(e as Error).message.split('\n')[0]}`);
    }
  }

  get vocabSize(): number {
    return (this.tokenizer.get_vocab() as Map<string, number>).size;
  }

  /**
   * BERT inputs: [CLS] A [SEP] (B [SEP]), truncated 'longest_first' to maxLength with room kept for the
   * special tokens, then padded. transformers.js cuts the finished sequence instead (dropping the final
   * [SEP]), so the word pieces come from it and the truncation and template are done here, as Python's
   * BertTokenizerFast does them.
   */
  encode(texts: string[], options: EncodeOptions = {}): EncodedText {
    const { pairs } = options;
    if (pairs && pairs.length !== texts.length) throw new RangeError(`encode: ${texts.length} texts but ${pairs.length} pairs.`);
    const maxLength = options.maxLength ?? this.modelMaxLength;
    const cls = this.specialId('cls_token');
    const sep = this.specialId('sep_token');
    const pad = this.specialId('pad_token');
    const pieces = (text: string): number[] => Array.from(this.tokenizer.encode(text, { add_special_tokens: false }) as number[], Number);
    const rows = texts.map((text, i) => {
      const a = pieces(text);
      const b = pairs ? pieces(pairs[i]) : undefined;
      const budget = maxLength - (b ? 3 : 2);
      if (budget < (b ? 2 : 1)) throw new RangeError(`encode: maxLength ${maxLength} leaves no room for text after the special tokens.`);
      while (a.length + (b?.length ?? 0) > budget) {
        if (b && b.length > a.length) b.pop();
        else a.pop();
      }
      const ids = [cls, ...a, sep, ...(b ? [...b, sep] : [])];
      const types = [...new Array(a.length + 2).fill(0), ...(b ? new Array(b.length + 1).fill(1) : [])];
      return { ids, types };
    });
    const width = options.padding === 'max_length' ? maxLength : Math.max(...rows.map((r) => r.ids.length));
    const padTo = (r: number[], v: number) => [...r, ...new Array(width - r.length).fill(v)];
    return {
      inputIds: rows.map((r) => padTo(r.ids, pad)),
      attentionMask: rows.map((r) => padTo(new Array(r.ids.length).fill(1), 0)),
      tokenTypeIds: rows.map((r) => padTo(r.types, 0)),
    };
  }

  /** Word pieces of a text, without special tokens (SQuAD's features are assembled by hand). */
  tokenize(text: string): number[] {
    return Array.from(this.tokenizer.encode(text, { add_special_tokens: false }) as number[], Number);
  }

  /** The ids of [CLS], [SEP] and [PAD]. */
  get specialIds(): { cls: number; sep: number; pad: number } {
    return { cls: this.specialId('cls_token'), sep: this.specialId('sep_token'), pad: this.specialId('pad_token') };
  }

  /** The id of [MASK] (masked-language modelling). */
  get maskId(): number {
    return this.specialId('mask_token');
  }

  get modelMaxLength(): number {
    const m = Number(this.tokenizer.model_max_length);
    return Number.isFinite(m) && m > 0 && m < 1e6 ? m : 512;
  }

  private specialId(name: 'cls_token' | 'sep_token' | 'pad_token' | 'mask_token'): number {
    const token: string = this.tokenizer[name] ?? { cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', mask_token: '[MASK]' }[name];
    const id = (this.tokenizer.get_vocab() as Map<string, number>).get(token);
    if (id === undefined) throw new ConfigError(`Tokenizer '${this.dir}' has no ${name} ('${token}') in its vocabulary.`);
    return Number(id);
  }

  decode(ids: number[]): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: true });
  }
}
