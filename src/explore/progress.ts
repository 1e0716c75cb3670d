// The sweep progress line (pure: the CLI measures the time and decides
// where and how often to draw it).
import type { SweepProgress } from './sweep.ts';

const fmtSecs = (s: number) => (s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s` : `${Math.ceil(s)}s`);

/** "[#####.....] 1200/3000 runs, 3 failures, 1,450 runs/s, ETA 2s"; a bar only when `bar` (a TTY). */
export function progressLine(p: SweepProgress, elapsedSecs: number, bar: boolean): string {
  const rate = elapsedSecs > 0 ? p.done / elapsedSecs : 0;
  const eta = rate > 0 ? (p.total - p.done) / rate : 0;
  const width = 24;
  const filled = p.total ? Math.round((p.done / p.total) * width) : width;
  const head = bar ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : 'progress: ';
  return `${head}${p.done}/${p.total} runs, ${p.failures} failure${p.failures === 1 ? '' : 's'}, ${Math.round(rate).toLocaleString('en-US')} runs/s, ETA ${fmtSecs(eta)}`;
}
