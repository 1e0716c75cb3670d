// The scenario whose sweep finds each planted bug, with the options it needs
// (bench/bugs/main.ts measures them, bench/bugs/pct-windows.ts dissects PCT on one).
import type { PlantedBug } from '../../src/kernel/bugs.ts';
import type { FaultOptions } from '../../src/kernel/faults.ts';

export interface Case {
  scenario: string;
  kernelPreemption?: boolean;
  /** harts (the SMP model) */
  harts?: number;
  faults?: FaultOptions;
  /** the bug shows only when a seed is run twice (a determinism bug) */
  repeat?: boolean;
  /** the bug shows only to the wake-duty checker (--check-wakes) */
  checkWakeDuties?: boolean;
}

/** The scenario whose sweep finds each planted bug, with the options it needs. */
export const CASES: Record<PlantedBug, Case> = {
  'pipe-write-no-wake': { scenario: 'pipe-pingpong' },
  'pipe-read-no-wake': { scenario: 'acceptance-pipe-bulk' },
  'pipe-read-no-recheck': { scenario: 'fault-pipe-spurious-wakeup', faults: { spuriousWakeups: true } },
  'stream-send-eintr-drops-count': { scenario: 'fault-stream-eintr', faults: { eintr: true } },
  'dup-no-ref': { scenario: 'acceptance-dup' },
  'fdget-no-ref': { scenario: 'thread-peek-while-close' },
  'global-pipe-ino': { scenario: 'acceptance-pipe-ino', repeat: true },
  'sleep-ignores-pending-signal': { scenario: 'signal-pending-at-sleep' },
  'sleep-keeps-waker': { scenario: 'signal-pending-at-sleep', checkWakeDuties: true },
  'poll-no-recheck': { scenario: 'race-poll-wakeup-recheck' },
  'epoll-et-no-rearm': { scenario: 'race-epoll-edge-triggered' },
  'stream-write-no-wake': { scenario: 'race-slow-drain' },
  'accept-double-dequeue': { scenario: 'prefork-accept', kernelPreemption: true },
  'close-no-wake-connectors': { scenario: 'race-listener-close-full-backlog' },
  'accept-single-waker': { scenario: 'race-two-acceptors' },
  'read-register-once': { scenario: 'race-reader-peer-close' },
  'stream-partial-read-drops-rest': { scenario: 'fault-stream-short-read', faults: { shortIo: true } },
  'dgram-qlen-no-wake': { scenario: 'race-dgram-full-queue' },
  'scm-send-no-ref': { scenario: 'race-scm-sender-close' },
  'scm-peek-no-ref': { scenario: 'acceptance-scm-peek' },
  'gc-frees-reachable': { scenario: 'race-scm-ctrunc' },
  'close-forgets-inflight': { scenario: 'race-scm-receiver-close' },
  'stream-wake-before-queue': { scenario: 'cve/wake-before-publish', harts: 2 },
  'dgram-connect-lock-order': { scenario: 'smp-dgram-cross-connect' },
  'gc-peek-no-lock': { scenario: 'cve/cve-2021-0920' },
  'gc-peek-no-seqcount': { scenario: 'cve/cve-2026-23394' },
  'gc-connect-no-listener-lock': { scenario: 'cve/cve-2024-26923' },
  'oob-skb-no-queue-lock': { scenario: 'cve/cve-2024-36972' },
};
