/**
 * Adam (Kingma & Ba 2015) with PyTorch's semantics: `adamw` decays weights decoupled from the gradient
 * (Loshchilov & Hutter 2019, torch.optim.AdamW); `adam` adds weight_decay * p to the gradient
 * (torch.optim.Adam). Parameters flagged `decay: false` (biases, LayerNorm, slimming coefficients) get none.
 */
import * as tf from '@tensorflow/tfjs';

import { FUSED_ADAM_STEP, FUSED_ADAM_STEPS } from '@ebt/backend';

export interface OptimizerOptions {
  kind: 'adam' | 'adamw';
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export interface TrainableParameter {
  name: string;
  variable: tf.Variable;
  decay: boolean;
}

export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** number of steps taken (t in the bias corrections) */
  t = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly params: TrainableParameter[],
    readonly options: OptimizerOptions,
  ) {
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    for (const p of params) {
      this.m.set(
        p.name,
        tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)),
      );
      this.v.set(
        p.name,
        tf.tidy(() => tf.variable(tf.zerosLike(p.variable), false)),
      );
    }
  }

  /** One update with learning rate `lr`; `grads` by parameter name. */
  step(grads: Record<string, tf.Tensor>, lr: number): void {
    this.t += 1;
    const hyper = {
      lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      bc1: 1 - this.beta1 ** this.t,
      bc2: 1 - this.beta2 ** this.t,
      decoupled: this.options.kind === 'adamw',
    };
    const backend = tf.getBackend();
    const fused = tf.getKernel(FUSED_ADAM_STEP, backend) !== undefined;
    const all = tf.getKernel(FUSED_ADAM_STEPS, backend) !== undefined;
    const updates = this.params.filter((p) => grads[p.name]).map((p) => ({ p, g: grads[p.name], wd: p.decay ? this.weightDecay : 0 }));
    tf.tidy(() => {
      const byKernel = (u: (typeof updates)[number]) => fused && u.g.dtype === 'float32';
      const kernel = updates.filter(byKernel);
      const plain = updates.filter((u) => !byKernel(u));
      if (all && kernel.length > 0) this.stepAll(kernel, hyper);
      else for (const u of kernel) this.fusedStep(u.p, u.g, { ...hyper, weightDecay: u.wd });
      for (const u of plain) this.compositeStep(u.p, u.g, u.wd, hyper);
    });
  }

  /** The update in ordinary ops (any backend). */
  private compositeStep(p: TrainableParameter, grad: tf.Tensor, wd: number, h: { lr: number; bc1: number; bc2: number }): void {
    let g = grad;
    if (wd > 0 && this.options.kind === 'adam') g = g.add(p.variable.mul(wd));
    const m = this.m.get(p.name)!;
    const v = this.v.get(p.name)!;
    m.assign(m.mul(this.beta1).add(g.mul(1 - this.beta1)));
    v.assign(v.mul(this.beta2).add(g.square().mul(1 - this.beta2)));
    const denom = v.sqrt().div(Math.sqrt(h.bc2)).add(this.eps);
    let next = p.variable.sub(m.div(denom).mul(h.lr / h.bc1));
    if (wd > 0 && this.options.kind === 'adamw') next = next.sub(p.variable.mul(h.lr * wd));
    p.variable.assign(next);
  }

  /** The same update as one kernel of a backend that has it (@ebt/backend-native): 1 pass instead of ~12. */
  private fusedStep(p: TrainableParameter, g: tf.Tensor, attrs: Record<string, number | boolean>): void {
    const m = this.m.get(p.name)!;
    const v = this.v.get(p.name)!;
    const [next, nextM, nextV] = tf.engine().runKernel(FUSED_ADAM_STEP, { param: p.variable, grad: g, m, v }, attrs) as tf.Tensor[];
    p.variable.assign(next);
    m.assign(nextM);
    v.assign(nextV);
  }

  /** fusedStep for every parameter in one kernel call (@ebt/backend-native: the same bits, one parallel region). */
  private stepAll(updates: Array<{ p: TrainableParameter; g: tf.Tensor; wd: number }>, attrs: Record<string, number | boolean>): void {
    const inputs: Record<string, tf.Tensor> = {};
    updates.forEach(({ p, g }, i) => {
      inputs[`param${i}`] = p.variable;
      inputs[`grad${i}`] = g;
      inputs[`m${i}`] = this.m.get(p.name)!;
      inputs[`v${i}`] = this.v.get(p.name)!;
    });
    const weightDecays = updates.map((u) => u.wd);
    const out = tf.engine().runKernel(FUSED_ADAM_STEPS, inputs, { ...attrs, weightDecays }) as tf.Tensor[];
    updates.forEach(({ p }, i) => {
      p.variable.assign(out[3 * i]);
      this.m.get(p.name)!.assign(out[3 * i + 1]);
      this.v.get(p.name)!.assign(out[3 * i + 2]);
    });
  }

  /** The moments, named for a checkpoint. */
  stateTensors(): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [k, v] of this.m) out.set(`optimizer.m.${k}`, v);
    for (const [k, v] of this.v) out.set(`optimizer.v.${k}`, v);
    return out;
  }

  dispose(): void {
    tf.dispose([...this.m.values(), ...this.v.values()]);
  }
}
