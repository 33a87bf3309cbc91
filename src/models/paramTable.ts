import { sizeOf, type InitSpec, type ParamSpec, type StateSpec } from './model.ts';

/**
 * Collects a model's parameter and state specs while its layers are declared, handing back the
 * index each layer's forward pass reads its tensor from.
 */
export class ParamTable {
  readonly params: ParamSpec[] = [];
  readonly states: StateSpec[] = [];

  add(name: string, shape: readonly number[], init: InitSpec): number {
    if (this.params.some((p) => p.name === name)) throw new Error(`duplicate parameter name ${name}`);
    this.params.push({ name, shape: [...shape], init });
    return this.params.length - 1;
  }

  addState(name: string, shape: readonly number[], init: 'zeros' | 'ones'): number {
    this.states.push({ name, shape: [...shape], init });
    return this.states.length - 1;
  }

  get dim(): number {
    return this.params.reduce((s, p) => s + sizeOf(p.shape), 0);
  }

  get stateDim(): number {
    return this.states.reduce((s, p) => s + sizeOf(p.shape), 0);
  }
}
