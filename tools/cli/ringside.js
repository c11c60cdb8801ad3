#!/usr/bin/env node
// The `ringside` command: loads the TypeScript CLI through tsx (no build step needed).
import { register } from "tsx/esm/api";
register();
await import("./main.ts");
