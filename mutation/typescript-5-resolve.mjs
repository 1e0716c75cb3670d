// Module resolve hook (see typescript-5.mjs): `typescript` -> `typescript-5`
// when imported from inside a @stryker-mutator package (the checker, and core's tsconfig handling).
export async function resolve(specifier, context, next) {
  if (specifier === 'typescript' && context.parentURL?.includes('/node_modules/@stryker-mutator/')) {
    return next('typescript-5', context);
  }
  return next(specifier, context);
}
