// Path resolution: the kernel turns every path a program passes (absolute, or relative to its
// working directory) into one normalised absolute path before it asks the file service, so the
// file service only ever sees absolute paths. Pure (no kernel state): unit-tested without a machine.

/**
 * `path` resolved against the working directory `cwd` (absolute, normalised): "." components
 * vanish, ".." removes the previous component (".." of "/" is "/"), repeated and trailing slashes
 * collapse. The result is absolute, has no "." or "..", and ends in "/" only if it is "/" or `path`
 * did (so "dir/" still tells the file service that a directory is meant).
 * As in Linux, ".." is purely lexical here (the file system has no symbolic links).
 */
export function resolvePath(cwd: string, path: string): string {
  const parts: string[] = [];
  const push = (s: string) => {
    for (const c of s.split("/")) {
      if (c === "" || c === ".") continue;
      if (c === "..") parts.pop();
      else parts.push(c);
    }
  };
  if (!path.startsWith("/")) push(cwd);
  push(path);
  const abs = "/" + parts.join("/");
  return abs !== "/" && path.endsWith("/") ? abs + "/" : abs;
}
