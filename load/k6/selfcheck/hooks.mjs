// Node module hooks for selfcheck.mjs: 'k6', 'k6/http' and 'k6/execution' resolve to small stand-ins that call the
// functions selfcheck.mjs puts on globalThis.__k6shim, and the scripts in load/k6 load as ES modules.
const SHIMS = {
  k6: `export const check = (...a) => globalThis.__k6shim.check(...a);
       export const sleep = () => {};
       export default { check, sleep };`,
  'k6/http': `const s = () => globalThis.__k6shim.http;
       export const post = (...a) => s().post(...a);
       export const get = (...a) => s().get(...a);
       export const expectedStatuses = (...a) => s().expectedStatuses(...a);
       export const setResponseCallback = (...a) => s().setResponseCallback(...a);
       export default { post, get, expectedStatuses, setResponseCallback };`,
  'k6/execution': `export default globalThis.__k6shim.exec;`,
};

export async function resolve(specifier, context, nextResolve) {
  if (Object.hasOwn(SHIMS, specifier)) {
    return { url: `k6shim:${specifier}`, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}

export async function load(url, context, nextLoad) {
  if (url.startsWith('k6shim:')) {
    return { format: 'module', source: SHIMS[url.slice('k6shim:'.length)], shortCircuit: true };
  }
  if (url.includes('/load/k6/') && url.endsWith('.js')) {
    return { ...(await nextLoad(url, { ...context, format: 'module' })), format: 'module', shortCircuit: true };
  }
  return nextLoad(url, context);
}
