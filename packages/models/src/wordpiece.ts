/**
 * A BERT WordPiece vocabulary (vocab.txt, one token per line, the line number its id) as the `tokenizers`
 * JSON that a fast tokenizer saves - what transformers' `BertConverter` builds when a checkpoint ships only
 * the slow tokenizer's files. Options come from tokenizer_config.json under their Python names.
 */
export interface BertTokenizerConfig {
  do_lower_case?: boolean;
  strip_accents?: boolean | null;
  tokenize_chinese_chars?: boolean;
  cls_token?: string;
  sep_token?: string;
  pad_token?: string;
  unk_token?: string;
  mask_token?: string;
}

export function wordPieceTokenizerJson(vocabText: string, config: BertTokenizerConfig = {}): Record<string, unknown> {
  const tokens = vocabText.split('\n').map((t) => t.replace(/\r$/, ''));
  if (tokens[tokens.length - 1] === '') tokens.pop();
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => {
    if (!(t in vocab)) vocab[t] = i;
  });
  const special = {
    cls: config.cls_token ?? '[CLS]',
    sep: config.sep_token ?? '[SEP]',
    pad: config.pad_token ?? '[PAD]',
    unk: config.unk_token ?? '[UNK]',
    mask: config.mask_token ?? '[MASK]',
  };
  for (const [name, token] of Object.entries(special))
    if (!(token in vocab)) throw new RangeError(`vocab.txt has no ${name} token '${token}' (tokenizer_config.json's ${name}_token).`);
  const added = [...new Set(Object.values(special))]
    .map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);
  const piece = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const seq = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: config.tokenize_chinese_chars ?? true,
      strip_accents: config.strip_accents ?? null,
      lowercase: config.do_lower_case ?? true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [piece(special.cls, 0), seq('A', 0), piece(special.sep, 0)],
      pair: [piece(special.cls, 0), seq('A', 0), piece(special.sep, 0), seq('B', 1), piece(special.sep, 1)],
      special_tokens: {
        [special.cls]: { id: special.cls, ids: [vocab[special.cls]], tokens: [special.cls] },
        [special.sep]: { id: special.sep, ids: [vocab[special.sep]], tokens: [special.sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: special.unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}
