// Types of code-cache.js (plain JavaScript: the launcher loads it before any bundle exists).

/** The cache data in `file` if it was made from a bundle whose SHA-256 is `sourceHash` by this V8 and is intact; undefined otherwise. Never throws. */
export function readCodeCache(file: string, sourceHash: string): Buffer | undefined;

/** Writes `data` as the cache of the bundle with hash `sourceHash`, atomically; failures are ignored. */
export function writeCodeCache(file: string, sourceHash: string, data: Buffer): void;

/** Runs the CommonJS file `file` as this process's program, through the code cache `cacheFile` if given; true if the code came from the cache. */
export function runCommonJs(file: string, opts?: { cacheFile?: string; keep?: (exitCode: number) => boolean }): boolean;
