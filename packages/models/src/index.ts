export { BERT, BERT_DEFAULTS, BertEncoder, BertForMaskedLM, BertForQuestionAnswering, BertForSequenceClassification, BertModel } from './bert';
export type { BertInputs } from './bert';
export { ROBERTA, ROBERTA_DEFAULTS, RobertaForQuestionAnswering, RobertaForSequenceClassification, RobertaModel, robertaPositionIds } from './roberta';
export type { RobertaConfig } from './roberta';
export { VIT, VIT_DEFAULTS, ViTForImageClassification, ViTModel } from './vit';
export { MODEL_TYPES, architectureFor, architectureOf, modelFromConfig, modelType, modelTypeOf } from './model-types';
export type {
  Architecture,
  ImageClassifier,
  MaskedLanguageModel,
  InputSpec,
  ModelTask,
  ModelType,
  PretrainedModel,
  QuestionAnswerer,
  TextClassifier,
  TextInputs,
} from './model-type';
export { SelfAttention, attentionBias } from './attention';
export type { SlimmingHook } from './attention';
export { Intermediate } from './feed-forward';
export { Linear } from './linear';
export { LayerNorm } from './layer-norm';
export { Module, Initializer } from './module';
export { gelu, geluTanh, activation } from './activations';
export { headsPerLayer, intermediateSizes, numLabels, writeConfig } from './config';
export { parseConfig, readConfig } from './config-file';
export type { BertConfig, ModelConfig, TransformerConfig, ViTConfig } from './config';
export { MAX_HEADER_BYTES, parseSafetensors, readSafetensors, serializeSafetensors, writeSafetensors } from './safetensors';
export type { NamedTensor, SafetensorsDtype, SafetensorsFile } from './safetensors';
export { checkPretrained, loadPretrained, loadState, savePretrained } from './pretrained';
export type { LoadOptions, LoadReport } from './pretrained';
export { ConfigError, SafetensorsError } from './errors';
export { TextTokenizer } from './tokenizer';
export type { EncodedText, EncodeOptions } from './tokenizer';
export { ImagePreprocessor } from './image-processor';
export type { ProcessedImages } from './image-processor';
export { dropout, seedDropout } from './dropout';
export type { EncoderLayerHandles, ModelIdentity } from './encoder-layer';
export {
  BERT_MINIATURES,
  bertWordCounts,
  buildScratchBert,
  SCRATCH_MODEL_DIR,
  SCRATCH_PREFIX,
  scratchSize,
  SPECIAL_TOKENS,
  trainWordPiece,
} from './scratch-bert';
export type { BertMiniature, ScratchBertOptions } from './scratch-bert';
