import { cacheControlDirectives } from './cache-control';
import type { CacheResponseOptions } from './cache-response.decorator';

/** Options objects already found sound: the check runs once per route, not per request. */
const sound = new WeakSet<CacheResponseOptions>();

/**
 * Refuses route options that would be unsafe, naming the route and the problem. Runs on the route's
 * first request (options are plain objects, often shared constants, so there is no earlier point that
 * sees every route); a refused route keeps failing (500) on every request rather than serving with a
 * directive it did not mean.
 */
export function checkRouteOptions(options: CacheResponseOptions, route: string): void {
  if (sound.has(options)) return;
  const problem = routeOptionsProblem(options);
  if (problem) throw new Error(`@CacheResponse on ${route}: ${problem}`);
  sound.add(options);
}

/** What is wrong with the options, or undefined. */
export function routeOptionsProblem(options: CacheResponseOptions): string | undefined {
  const { cacheControl, perUser, variant } = options;
  if (cacheControl !== undefined) {
    if (typeof cacheControl !== 'string' || cacheControl.trim() === '')
      return 'cacheControl must be a non-empty string';
    // CR/LF would split the header (response splitting); other control characters are no field value.
    if (hasControlCharacter(cacheControl))
      return `cacheControl must not contain CR, LF or other control characters (got ${JSON.stringify(cacheControl)})`;
    // Only the bare `private` keeps the whole response out of shared caches; `private="x"` lists fields.
    const directives = cacheControlDirectives(cacheControl);
    const keptPrivate = directives.some(
      (d) => (d.name === 'private' && d.value === undefined) || d.name === 'no-store',
    );
    if (perUser === true && !keptPrivate)
      return `a perUser route needs a cacheControl with private or no-store (got "${cacheControl}"): a per-user response must never be marked shareable downstream`;
  }
  if (options.fastPath === true && perUser === true)
    return 'fastPath is for shared routes: a perUser answer depends on the caller, not only on the URL';
  if (variant !== undefined) {
    if (typeof variant !== 'function') return 'variant must be a function of the request';
    if (perUser === true)
      return 'variant is for shared routes; a perUser route is keyed by the caller already (use one or the other)';
  }
  return undefined;
}

/** Any control character but HTAB, which a field value may hold (RFC 9110 §5.5). */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}
