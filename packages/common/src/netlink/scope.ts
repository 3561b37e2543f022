import type { Scope } from './types';

const SCOPE_NAMES: ReadonlyMap<number, Scope> = new Map<number, Scope>([
  [0, 'global'],
  [200, 'site'],
  [253, 'link'],
  [254, 'host'],
  [255, 'nowhere'],
]);

export function scopeName(scope: number): Scope {
  return SCOPE_NAMES.get(scope) ?? scope;
}
