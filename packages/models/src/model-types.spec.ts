import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@ebt/backend';
import { architectureFor, MODEL_TYPES, modelFromConfig, parseConfig, robertaPositionIds } from './index';

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: null });
});

const tiny = {
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  intermediate_size: 16,
  vocab_size: 20,
  max_position_embeddings: 12,
  image_size: 4,
  patch_size: 2,
};

describe('the model-type registry', () => {
  test.each(MODEL_TYPES.flatMap((t) => Object.entries(t.architectures).map(([name, a]) => [t.name, name, a.task] as const)))(
    '%s builds %s, a %s model that says so of itself',
    (type, name, task) => {
      const model = modelFromConfig(parseConfig({ model_type: type, ...tiny, architectures: [name] }), 0);
      expect(model.architecture).toBe(name);
      expect(model.task).toBe(task);
      expect(model.encoderLayers()).toHaveLength(1);
      const layerKeys = model.namedParameters().filter(([key]) => key.includes('encoder.layer.0.'));
      expect(layerKeys.length).toBeGreaterThan(0);
      expect(layerKeys.filter(([key]) => !key.startsWith(`${model.basePrefix}.encoder.`))).toEqual([]);
      model.dispose();
    },
  );

  test('an unknown model_type is refused with the file and the types ebt knows', () => {
    expect(() => parseConfig({ model_type: 'gpt2' }, 'm/config.json')).toThrow(
      `m/config.json: model_type "gpt2" is not supported; ebt knows 'bert', 'roberta', 'vit'.`,
    );
  });

  test("a config whose model outgrows this machine's memory is refused before anything is built, naming the file", () => {
    // bert-base's shape, the largest ebt trains: 110M parameters, 0.4 GiB as float32 - well inside any machine
    expect(() => parseConfig({ model_type: 'bert', hidden_size: 768, num_hidden_layers: 12, intermediate_size: 3072 })).not.toThrow();
    // 10 million layers of bert-tiny: 1e7 * (4 * 128^2 + 2 * 128 * 512) = 1.97e12 parameters, 7,300 GiB
    expect(() =>
      parseConfig({ model_type: 'bert', hidden_size: 128, num_attention_heads: 2, intermediate_size: 512, num_hidden_layers: 1e7 }, 'm/config.json'),
    ).toThrow(
      /^m\/config\.json: hidden_size 128, num_hidden_layers 10000000 and intermediate_size 512 describe about 1\.97e\+12 parameters \(73\d\d\.\d GiB as float32\)/,
    );
    expect(() => parseConfig({ model_type: 'vit', hidden_size: 1e9, num_attention_heads: 1 }, 'v/config.json')).toThrow(
      /^v\/config\.json: hidden_size 1000000000, /,
    );
  });

  test("a task the type has no model for is refused; config.json's unknown architectures fall back to the type's first", () => {
    expect(() => architectureFor(parseConfig({ model_type: 'vit', ...tiny }), 'question-answering')).toThrow(
      /no question-answering model for model_type 'vit'/,
    );
    const model = modelFromConfig(parseConfig({ model_type: 'roberta', ...tiny, architectures: ['RobertaForMaskedLM'] }));
    expect(model.architecture).toBe('RobertaForSequenceClassification');
    model.dispose();
  });

  test("RoBERTa's defaults are transformers' RobertaConfig(): pad 1, and no positions left is refused", () => {
    const config = parseConfig({ model_type: 'roberta' });
    expect([config.pad_token_id, config.bos_token_id, config.eos_token_id, config.vocab_size, config.layer_norm_eps]).toEqual([1, 0, 2, 30522, 1e-12]);
    expect(() => parseConfig({ model_type: 'roberta', max_position_embeddings: 2 }, 'r.json')).toThrow(/r.json: pad_token_id 1 leaves no positions/);
  });
});

test("RoBERTa's position ids: padding_idx + 1 onwards over tokens, padding_idx on padding (create_position_ids_from_input_ids)", () => {
  // worked by hand: padding_idx 1; row 2 has padding inside, where HF's running count pauses
  const ids = tf.tensor2d(
    [
      [0, 5, 6, 2, 1, 1],
      [0, 7, 2, 1, 1, 1],
      [0, 1, 9, 2, 1, 1],
    ],
    undefined,
    'int32',
  );
  expect(robertaPositionIds(ids, 1).arraySync()).toEqual([
    [2, 3, 4, 5, 1, 1],
    [2, 3, 4, 1, 1, 1],
    [2, 1, 3, 4, 1, 1],
  ]);
});
