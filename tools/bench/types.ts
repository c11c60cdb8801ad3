// The shape every benchmark reports. Ids are stable: graders and notes refer to them.
export interface BenchResult {
  id: string; // e.g. "asm_lines_per_s"
  value: number;
  unit: string; // e.g. "lines/s", "ratio", "ms"
  goal?: string; // human-readable goal, e.g. "≥ 20000"
  ok?: boolean; // whether the goal was met (omit when there is no goal)
  detail?: string; // how it was measured, the raw numbers behind a ratio
}

export interface Bench {
  name: string;
  run(): Promise<BenchResult[]>;
}
