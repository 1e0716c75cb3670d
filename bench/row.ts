/** One benchmark figure: a rate or a ratio, with how it was measured. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}
