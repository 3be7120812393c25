/** What a fine-tuning app asks of the model it loaded: the task it was built for, and the length of text it reads. */
import { UsageError } from '@ebt/errors';
import { ModelTask, modelTypeOf, PretrainedModel } from '@ebt/models';

/** `model` as a model of `task`, or a UsageError naming --model and what it holds. */
export function taskModel<T extends ModelTask>(model: PretrainedModel, task: T, dir: string, command: string): Extract<PretrainedModel, { task: T }> {
  if (model.task !== task) throw new UsageError(`--model '${dir}' holds a ${model.architecture}; ${command} needs a ${task} model.`);
  return model as Extract<PretrainedModel, { task: T }>;
}

/** The most tokens a row of `model`'s input may hold (BERT: max_position_embeddings; RoBERTa: 2 fewer). */
export function maxTokens(model: PretrainedModel): number {
  const spec = modelTypeOf(model.config).input(model.config);
  if (spec.modality !== 'text') throw new UsageError(`${model.architecture} does not read text.`);
  return spec.maxLength;
}

export function checkMaxLength(model: PretrainedModel, maxLength: number): void {
  if (maxLength > maxTokens(model)) throw new UsageError(`--max-length ${maxLength} exceeds the ${maxTokens(model)} positions of the model.`);
}

/** The size and channels of the images `model` reads. */
export function imageInput(model: PretrainedModel): { imageSize: number; channels: number } {
  const spec = modelTypeOf(model.config).input(model.config);
  if (spec.modality !== 'image') throw new UsageError(`${model.architecture} does not read images.`);
  return spec;
}
