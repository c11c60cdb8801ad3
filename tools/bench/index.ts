// All benchmarks run by `npm run bench` / `ringside bench`. Add one import + one array entry per bench file.
import type { Bench } from "./types.ts";
import { kernelBench } from "./kernel.ts";
import { coreBench } from "./core.ts";
import { traceBench } from "./trace.ts";
import { asmBench } from "./asm.ts";
import { microkernelBench } from "./microkernel.ts";
import { floorBench } from "./floor.ts";
import { modesBench } from "./modes.ts";
import { recoveryBench } from "./recovery.ts";
import { labsBench } from "./labs.ts";
import { unixBench } from "./unix.ts";
import { cliBench } from "./cli.ts";
import { fuzzBench } from "./fuzz.ts";
import { pioBench } from "./pio.ts";

export const benches: Bench[] = [
  kernelBench,
  coreBench,
  traceBench,
  asmBench,
  microkernelBench,
  pioBench,
  modesBench,
  recoveryBench,
  labsBench,
  unixBench,
  floorBench,
  cliBench,
  fuzzBench,
];
