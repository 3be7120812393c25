/**
 * Weight decay by shape picks the parameters Hugging Face's Trainer decays (every parameter but biases and
 * those of LayerNorm modules: `get_parameter_names(model, ALL_LAYERNORM_LAYERS)` without "bias"), on the
 * BERT and ViT checkpoints, without asking for any name.
 */
import * as path from 'node:path';
import { initBackend } from '@ebt/backend';
import { LayerNorm, loadPretrained, Module } from '@ebt/models';
import { defaultNoDecay } from './index';

const fixtures = path.join(__dirname, '..', '..', 'models', 'test', 'fixtures');

beforeAll(async () => {
  await initBackend({ backend: 'cpu', log: null });
});

test.each(['hf-tiny-bert', 'hf-tiny-vit', 'hf-tiny-bert-qa'])('%s: the decayed parameters are those the Trainer decays', (name) => {
  const { model } = loadPretrained(path.join(fixtures, name), { log: null });
  const params = (model as Module).namedParameters();
  const trainer = params.filter(([n, , owner]) => !(owner instanceof LayerNorm) && !n.endsWith('bias')).map(([n]) => n);
  const byShape = params.filter(([n, v]) => !defaultNoDecay(n, v)).map(([n]) => n);
  expect(byShape).toEqual(trainer);
  expect(byShape.length).toBeGreaterThan(10);
  model.dispose();
});
