// Planted bugs: named, documented kernel variants, off by default, that
// reproduce mistakes real kernels make. Property tests and scenario sweeps
// must find each of them; anyone can re-run the demonstration with
// `--bug NAME`. The catalogue is one typed constant, so `k.bug('typo')` does
// not compile; which bugs are on belongs to each kernel instance.

/** Pipes, fds and the rest of the core kernel. */
export const KERNEL_PLANTED_BUGS = {
  'pipe-write-no-wake': 'pipe write queues data but forgets to wake sleeping readers',
  'pipe-read-no-wake': 'pipe read frees space but forgets to wake sleeping writers',
  'dup-no-ref': 'dup installs the new fd without taking a reference on the open file',
  'global-pipe-ino': 'pipe inode numbers come from a module-global counter, so state leaks from one run into the next (a determinism bug)',
  'sleep-ignores-pending-signal':
    'an interruptible sleep does not check for a pending signal before it sleeps: a signal that arrived as the call began is noticed only when something else wakes the sleeper',
  'sleep-keeps-waker':
    'a sleep that ends takes its waker off no queue (finish_wait skipped): later wakes of those queues reach a task that is running, and a wakeOne can be spent on it',
} as const;

/** Bugs only fault injection exposes (see src/kernel/faults.ts and scenarios/fault-*.ts). */
export const FAULT_PLANTED_BUGS = {
  'pipe-read-no-recheck':
    'a pipe read trusts its wakeup: after one sleep it reads what is there, and an empty pipe reads as EOF (only spurious wakeups, --spurious-wakeups, expose it)',
  'stream-send-eintr-drops-count':
    'a stream send interrupted after queueing part of its buffer returns EINTR instead of the bytes sent, so the writer sends them again (only --eintr exposes it)',
} as const;

export const POLL_PLANTED_BUGS = {
  'poll-no-recheck':
    'ppoll (and pselect6) trust the wakeup: after a wake they return what they find without re-checking in a loop, so a wake for writers (or data another reader took) returns 0 ready fds before the timeout',
} as const;

export const EPOLL_PLANTED_BUGS = {
  'epoll-et-no-rearm':
    'an edge-triggered epoll entry stays marked "queued" after epoll_wait reports it, so the callback never queues it again: a later arrival is lost and the reader sleeps for ever',
} as const;

/** AF_UNIX connections and stream sockets. */
export const UNIX_PLANTED_BUGS = {
  'stream-write-no-wake': 'AF_UNIX stream/seqpacket write queues data but forgets to wake sleeping readers',
  'accept-double-dequeue':
    'accept peeks the pending head, drops the queue lock and takes it again (an interleaving point: needs kernelPreemption or harts > 1) and unlinks without re-checking: two acceptors get the same connection, a later one is lost',
  'close-no-wake-connectors': 'closing a listener does not wake connectors blocked on its full backlog',
  'accept-single-waker': "a listener's accept wait queue keeps a single waker slot: of two blocked acceptors the earlier is never woken",
  'read-register-once':
    "a socket's reader wait queue registers each task only once: with two readers, the one whose data was taken sleeps through later writes",
  'stream-partial-read-drops-rest':
    'a stream read that copies only part of a queued message frees the whole message: the rest of it is lost (only short reads, --short-io, expose it)',
} as const;

export const DGRAM_PLANTED_BUGS = {
  'dgram-qlen-no-wake':
    'a datagram receive frees a slot in a full receive queue but forgets to wake the senders sleeping on max_dgram_qlen (u->peer_wait)',
} as const;

/**
 * Races only the SMP model exposes (src/kernel/lock.ts: --harts N, or
 * kernelPreemption): a lock taken in the wrong order, a wake that runs ahead
 * of what it announces.
 */
export const SMP_PLANTED_BUGS = {
  'stream-wake-before-queue':
    'a stream write wakes the readers (sk_data_ready) before the data is on their queue, with the peer\'s lock taken in between: a reader woken on another hart finds the queue empty, sleeps again and is never woken for the data (needs --harts 2 or kernelPreemption)',
  'dgram-connect-lock-order':
    'datagram connect locks the peer and then itself (unix_state_lock(other), then unix_state_lock(sk)) instead of unix_state_double_lock\'s address order: two sockets connecting to each other take the same two locks in opposite orders (ABBA), which lockdep reports in one run and --harts 2 can deadlock',
} as const;

/** SCM_RIGHTS and the in-flight collector. */
export const SCM_PLANTED_BUGS = {
  'scm-send-no-ref': 'sendmsg(SCM_RIGHTS) queues the files without taking a reference on them',
  'scm-peek-no-ref': 'recvmsg(MSG_PEEK) installs duplicates of in-flight files without taking a reference',
  'gc-frees-reachable':
    'the garbage collector skips the reachability pass: a socket whose references are all in flight is freed (every message carrying it purged) even when a socket that is still open holds it in its queue',
  'close-forgets-inflight': 'closing a socket drops its unread messages but forgets the in-flight files they carry (leaked references)',
} as const;

/**
 * Races against the in-flight garbage collector that shipped in Linux
 * (src/unix/gc/, scenarios/cve/): each names its CVE and the subject of the
 * commit that fixed it. They need the SMP model (--harts 2) to show.
 */
export const GC_PLANTED_BUGS = {
  'gc-peek-no-lock':
    'CVE-2021-0920 (mark-and-sweep collector): recvmsg(MSG_PEEK) duplicates in-flight fds without synchronising with unix_gc: a socket the collector already judged dead gains an fd, and the queue it can be read through is purged under a live reference (fixed by "af_unix: fix garbage collect vs MSG_PEEK": unix_peek_fds takes and drops unix_gc_lock)',
  'gc-peek-no-seqcount':
    'CVE-2026-23394 (SCC collector): the same race after the rewrite: the collector finds sk-A dead, recv(sk-B, MSG_PEEK) takes a reference on sk-A, sk-B is closed, the collector finds sk-B dead and purges a live queue (fixed by "af_unix: Give up GC if MSG_PEEK intervened.": a sequence count unix_scc_dead checks)',
  'gc-connect-no-listener-lock':
    'CVE-2024-26923 (mark-and-sweep collector): connect() queues an embryo that carries SCM_RIGHTS on an in-flight listener between the collector\'s two scans, so the second scan restores a count the first never took and u->inflight ends too high (fixed by "af_unix: Fix garbage collector racing against connect()": the collector takes and drops the listener\'s unix_state_lock)',
  'oob-skb-no-queue-lock':
    'CVE-2024-36972: queue_oob replaces u->oob_skb and drops the old one\'s reference under unix_state_lock only, while the collector drops the same reference holding the receive-queue lock: a double free of the OOB message (fixed by "af_unix: Update unix_sk(sk)->oob_skb under sk_receive_queue lock.")',
} as const;

/** A syscall's own reference to its file (src/kernel/fdget.ts). */
export const FDGET_PLANTED_BUGS = {
  'fdget-no-ref':
    'the socket calls look their fd up without holding a reference (fdget without get_file): close(fd) in another thread releases the socket under a blocked recv or accept, which then works on a dead socket',
} as const;

export const PLANTED_BUGS = {
  ...KERNEL_PLANTED_BUGS,
  ...FDGET_PLANTED_BUGS,
  ...FAULT_PLANTED_BUGS,
  ...POLL_PLANTED_BUGS,
  ...EPOLL_PLANTED_BUGS,
  ...UNIX_PLANTED_BUGS,
  ...DGRAM_PLANTED_BUGS,
  ...SCM_PLANTED_BUGS,
  ...GC_PLANTED_BUGS,
  ...SMP_PLANTED_BUGS,
} as const;

export type PlantedBug = keyof typeof PLANTED_BUGS;

export function isPlantedBug(name: string): name is PlantedBug {
  return Object.hasOwn(PLANTED_BUGS, name);
}

/** Every planted bug with its description, in catalogue order. */
export function plantedBugs(): Readonly<Record<PlantedBug, string>> {
  return PLANTED_BUGS;
}

/** The planted bugs one kernel runs with (validated names). */
export class EnabledBugs {
  private readonly on: ReadonlySet<PlantedBug>;

  constructor(names: readonly string[]) {
    for (const b of names) if (!isPlantedBug(b)) throw new Error(`unknown planted bug: ${b}`);
    this.on = new Set(names as readonly PlantedBug[]);
  }

  has(name: PlantedBug): boolean {
    // no bug planted (every ordinary run): the syscall paths ask several times per call, so skip the lookup
    return this.on.size !== 0 && this.on.has(name);
  }
}
