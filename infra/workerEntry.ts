/**
 * The entry module of a worker thread that lives beside the module starting it.
 *
 * A worker does not inherit the tsx loader that bin/liandong.mjs (or mocha's `--import tsx`) put on the main thread,
 * and `--import tsx` in the worker's execArgv comes too late for its entry module (measured on Node 20 with tsx 4:
 * "Unknown file extension .ts"). So under tsx a worker starts at a small `<name>.mjs` that registers tsx and then
 * imports `<name>.ts`; compiled (dist/, `npm run build`) it starts at its own `<name>.js`, no loader needed.
 */
export function workerEntry(startingModuleUrl: string, name: string): URL {
  const compiled = startingModuleUrl.endsWith('.js');
  return new URL(`./${name}${compiled ? '.js' : '.mjs'}`, startingModuleUrl);
}
