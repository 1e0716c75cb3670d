// The fixed unix_ops.c programs that properties/linux-diff.test.ts runs
// before its random ones, one per edge of the kernel that random programs
// seldom reach. Each costs unixsim about 5 ms a call: keep them short.
export interface Case {
  name: string;
  ops: string[];
  /** pathname names: run in a fresh directory */
  dir?: boolean;
}

/** unix_ops.c's ALL_OPTS: every SOL_SOCKET option number and one that is none */
const ALL_OPTS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 29, 30, 31, 32, 33, 34, 35, 36, 38, 39, 40, 42, 46, 59, 60, 71, 72, 73, 74, 75, 76, 77, 82, 83, 84, 999];
const opt = (n: number): number => ALL_OPTS.indexOf(n);
/** SO_SNDBUF and SO_RCVBUF: values above this machine's wmem_max / rmem_max (sysctls, larger than unixsim's) are left out */
const CLAMPED = new Set([opt(7), opt(8)]);

/** unix_ops.c's address forms (op_addr) */
const FORMS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];

export const CASES: Case[] = [
  {
    // slot 0 a connected stream socket, 2 an unconnected seqpacket one, 3 a datagram one: each option read
    // (room for an int, then 16 bytes), set to 1 with its own length, read again; then the value and
    // length edges of the options that check them (timeouts, linger, buffers, SO_BUF_LOCK, SO_INQ,
    // SO_BUSY_POLL, SO_RESERVE_MEM, SO_RCVLOWAT, SO_PEEK_OFF, timestamps) and short and odd rooms
    name: 'every SOL_SOCKET option read, set and read back; value and length edges',
    ops: [
      'pair 0', 'sock 2', 'sock 1',
      ...ALL_OPTS.flatMap((_, o) => [`sopt 0 ${o} 2 0`, `gopt 0 ${o} 6`]),
      ...[opt(77), opt(59), opt(84)].flatMap((o) => [`gopt 2 ${o} 4`, `sopt 3 ${o} 2 0`]),
      // values (unix_ops.c's INTS: -1, 0, 1, 2, 3, 5, 100, 4096, INT_MAX, INT_MIN, 2562; timevals; lingers) per option
      ...Object.entries({
        20: [2, 4, 6], 13: [0, 2], 7: [7], 32: [0, 9], 72: [0, 5], 84: [3], 46: [0], 73: [0], 18: [0, 1], 29: [1],
      }).flatMap(([n, vs]) => vs.flatMap((v) => [`sopt 0 ${opt(Number(n))} ${v} 0`, `gopt 0 ${opt(Number(n))} 6`])),
      `sopt 0 ${opt(35)} 2 0`, `sopt 0 ${opt(29)} 0 0`, `gopt 0 ${opt(35)} 4`,
      // lengths: 3, 8, 2 and -1 bytes for an int, 0 for a timeval and a linger
      ...[2, 7].map((l) => `sopt 0 ${opt(12)} 3 ${l}`), `sopt 0 ${opt(20)} 1 3`, `sopt 0 ${opt(13)} 0 1`,
      // rooms: -1, 0, 1, 2, 8, 64 bytes
      ...[0, 3].flatMap((r) => [`gopt 0 ${opt(17)} ${r}`, `gopt 0 ${opt(71)} ${r}`, `gopt 0 ${opt(59)} ${r}`]),
      `gopt 0 ${opt(77)} 2`, `gopt 0 ${opt(3)} 2`, `gopt 0 ${opt(20)} 5`,
    ],
  },
  {
    // slots 0/1 a stream pair and 2/3 a datagram pair made as root, 4/5 a datagram pair made after drop:
    // whole-second timeouts (never, 2 s, 5 s, 2^62 s; fractions would read back in the host's HZ), a usec of 10^6, SO_LINGER off
    // keeping its time, the lock bits each buffer option sets, the FORCE options' clamp, the zero edges of
    // SO_BUSY_POLL, SO_RESERVE_MEM, SO_INQ and SO_REUSEPORT, booleans and integers stored from 5 and 100,
    // rooms of 0, 4 and 8 bytes, SO_INQ's exact length; then SO_DEBUG and SO_PRIORITY as a user
    name: 'SOL_SOCKET values, lock bits, zero edges and exact lengths, as root and as a user',
    ops: [
      'pair 0', 'pair 1',
      ...[[20, 1], [21, 0], [21, 5], [20, 3], [20, 7], [13, 0], [13, 1], [13, 4]].flatMap(([n, v]) => [`sopt 0 ${opt(n)} ${v} 0`, `gopt 0 ${opt(n)} 6`]),
      `sopt 0 ${opt(72)} 1 0`, `sopt 0 ${opt(7)} 7 0`, `gopt 0 ${opt(72)} 6`, `sopt 0 ${opt(8)} 7 0`, `gopt 0 ${opt(72)} 6`,
      ...[[32, 7], [33, 8], [32, 8], [33, 7]].flatMap(([n, v]) => [`sopt 0 ${opt(72)} 1 0`, `sopt 0 ${opt(n)} ${v} 0`, `gopt 0 ${opt(72)} 6`, `gopt 0 ${opt(n - 25)} 6`]),
      `sopt 0 ${opt(72)} 3 0`, `gopt 0 ${opt(72)} 6`, `gopt 0 ${opt(83)} 6`, `sopt 0 ${opt(83)} 1 0`, `gopt 0 ${opt(83)} 6`,
      // SO_TIMESTAMPNS on: both timestamp options read, and the stored booleans beside them
      `sopt 0 ${opt(35)} 2 0`, ...[35, 29, 1, 2].map((n) => `gopt 0 ${opt(n)} 6`), `gopt 2 ${opt(3)} 6`,
      ...[46, 73, 84, 15].map((n) => `sopt 0 ${opt(n)} 1 0`), `gopt 0 ${opt(15)} 6`,
      ...[[9, 5], [12, 6], [36, 5], [12, 5]].flatMap(([n, v]) => [`sopt 0 ${opt(n)} ${v} 0`, `gopt 0 ${opt(n)} 6`]),
      `gopt 0 ${opt(3)} 1`, `gopt 0 ${opt(71)} 5`, `gopt 0 ${opt(13)} 4`,
      `sopt 0 ${opt(84)} 2 3`, `sopt 0 ${opt(84)} 2 4`, `sopt 2 ${opt(84)} 2 3`,
      'drop', 'pair 1',
      ...[[1, 2], [1, 1], [12, 6], [12, 0], [12, 5], [12, 1]].flatMap(([n, v]) => [`sopt 4 ${opt(n)} ${v} 0`, `gopt 4 ${opt(n)} 6`]),
      `gopt 4 ${opt(59)} 5`, `gopt 4 ${opt(59)} 4`,
      // a listener's SO_PROTOCOL beside its SO_ACCEPTCONN, an unconnected socket's SO_PEERCRED
      'sock 0', 'bind 6 0', 'listen 6 1', `gopt 6 ${opt(38)} 6`, `gopt 6 ${opt(30)} 6`, 'sock 1', `gopt 7 ${opt(17)} 6`,
    ],
  },
  {
    // slots 0/1 a stream pair (1 has SO_PASSCRED), 2/3 a datagram pair; received fds take slots after them.
    // Rooms (unix_ops.c's ROOM[]): 3 a bare header, 4 a header and a byte, 5 CMSG_LEN of one fd, 6 of three,
    // 7 one fd's cmsg and most of a ucred's, 8 both whole, 9 one byte
    name: 'fds and credentials into every size of control buffer around a header',
    ops: [
      'pair 0', 'pair 1', 'set 1 2 2',
      ...[3, 4, 5, 6, 7, 9].flatMap((r) => ['fds 0 2 0', `recv 1 8 0 ${r}`]),
      ...[5, 7, 8].flatMap((r) => [`fds 2 2 ${r % 3}`, `recv 3 8 ${r === 7 ? 17 : 0} ${r}`]),
      'close 4', 'close 5', 'close 6', 'close 7',
      // SCM_MAX_FD at once: the room for 60 of them, then a peek and a bare header
      'ctl 2 20', 'recv 3 1 16 2', 'fds 2 253 1', 'recv 3 1 1 2', 'recv 3 1 0 3',
    ],
  },
  {
    name: 'SCM_CREDENTIALS forms: a missing pid, other ids, two headers, a long cmsg_len, a trailing zero header',
    ops: ['pair 1', 'set 1 2 2', ...[14, 15, 16, 17, 18, 19, 21, 0, 1, 3].flatMap((f) => [`ctl 0 ${f}`, `recv 1 4 0 2`])],
  },
  {
    // 1 (stream) and 3 (datagram) get SO_PASSPIDFD, then SO_PASSCRED too, then 1 SO_INQ alone
    name: 'SO_PASSPIDFD and SO_INQ beside SO_PASSCRED, in small and large buffers',
    ops: [
      'pair 0', 'pair 1', 'set 1 6 2', 'set 3 6 2',
      ...[1, 4, 5].flatMap((r) => ['send 0 3 0 0', `recv 1 8 0 ${r}`, 'send 2 3 0 2', `recv 3 8 0 ${r}`]),
      'set 1 2 2', 'set 3 2 2',
      ...[6, 7, 8].flatMap((r) => ['send 0 3 0 0', `recv 1 8 0 ${r}`, 'send 2 3 0 0', `recv 3 8 16 ${r}`]),
      'set 1 6 1', 'set 1 2 1', 'set 1 7 2', 'get 1 2',
      ...[2, 3, 5].flatMap((r) => ['send 0 5 0 0', `recv 1 2 0 ${r}`, `recv 1 8 1 ${r}`]),
    ],
  },
  {
    // slots 0/1 a stream pair, 1 with SO_PASSCRED and SO_PASSPIDFD, 2/3 a datagram one; RLIMIT_NOFILE lets
    // 1 or 0 more fds in: the files that fit are installed, the rest closed (MSG_CTRUNC), the pidfd is -EMFILE
    name: 'received fds and the SCM_PIDFD fd meeting RLIMIT_NOFILE',
    ops: [
      'pair 0', 'pair 1', 'set 1 2 2', 'set 1 6 2', 'fds 0 3 0', 'fds 2 2 0', 'nofile 1', 'recv 1 8 0 2', 'nofile 0',
      'recv 3 8 0 2', 'send 0 1 0 0', 'recv 1 8 0 2', 'nofile 40',
      // a NULL and an unmapped msg_control with a length: nothing written, the fds closed; SO_INQ's cmsg too
      'fds 0 2 0', 'recv 1 8 0 10', 'fds 0 2 0', 'recv 1 8 0 11', 'set 1 7 2', 'send 0 2 0 0', 'recv 1 1 0 10', 'recv 1 1 0 11',
      'fds 2 1 0', 'recv 3 8 0 11', 'pipehup',
    ],
  },
  {
    // 0/1 a datagram pair made as root, 2/3 one made after drop (uids 1001-1003, gids 2001-2003, groups
    // 1005 and 1006): scm_check_creds with each id and none of them, the options only root may set, the
    // peer's credentials and groups; and failed sends drop the references they took (the pipe's write
    // end closed here is then the last one: POLLHUP on its read end)
    name: 'credentials and options as a user with three different ids; failed sends keep no reference',
    ops: [
      'pair 1', 'set 1 2 2', 'ctl 0 26', 'ctl 0 11', 'ctl 0 7', 'drop', 'pair 1', 'set 3 2 2',
      ...[22, 23, 24].flatMap((f) => [`ctl 2 ${f}`, 'recv 3 1 0 2']), 'ctl 2 25', 'ctl 2 14', 'ctl 2 15', 'ctl 0 25',
      'send 2 1 0 2', 'recv 3 1 0 2', 'send 0 1 0 2', 'recv 1 1 0 2',
      `gopt 2 ${opt(59)} 6`, `gopt 2 ${opt(17)} 6`, `gopt 0 ${opt(59)} 6`, `gopt 0 ${opt(17)} 6`,
      ...[32, 33, 36, 46].flatMap((n) => [`sopt 2 ${opt(n)} 2 0`, `sopt 2 ${opt(n)} 1 0`, `gopt 2 ${opt(n)} 4`]),
      'pipehup',
    ],
  },
  {
    // unix_writable's boundary, (wmem_alloc + 1) * 4 <= sndbuf: an SO_SNDBUF of 2562 (stored 5124) and one
    // 200-byte stream skb (truesize 1280) leave it exactly there, POLLOUT still set; a second takes it away,
    // and reading both back gives it again
    name: 'POLLOUT at exactly a quarter of the send buffer in use, and past it',
    ops: ['pair 0', `sopt 0 ${opt(7)} 10 0`, 'send 0 200 0 0', 'ioctl 0 2', 'send 0 1 0 0', 'recv 1 511 0 0', 'recv 1 511 0 0'],
  },
  {
    // slots 0/1 a stream pair, 2/3 datagram, 4/5 seqpacket; each size on either side of a boundary of
    // truesize.ts (the linear head's kmalloc class, SKB_MAX_HEAD(0), SKB_MAX_ALLOC, the frag pages), read
    // back as the sender's TIOCOUTQ; the last sends fill the buffer (a partial write, EMSGSIZE)
    name: 'what each skb is charged: sizes around the truesize boundaries, stream, datagram and seqpacket',
    ops: [
      'pair 0', 'pair 1', 'pair 2',
      ...[192, 193, 1729, 3776, 3777, 7873, 40000].flatMap((n) => [`big 0 ${n}`, 'ioctl 0 2']),
      'ioctl 1 0', 'big 0 300000', 'ioctl 0 2', 'set 3 5 6',
      ...[3777, 7873, 16064, 16065, 20161, 90000].flatMap((n) => [`big 2 ${n}`, 'ioctl 2 2']),
      'big 2 212961', 'set 4 4 6', 'big 4 1000', 'ioctl 4 2', 'big 4 8161', 'big 4 8160', 'ioctl 4 2', 'set 0 4 6', 'big 0 5000',
    ],
  },
  {
    // slots: 0 dgram (bound p0), 1 dgram, 2 stream listener (p1), 3 stream, 4 seqpacket, 5 the accepted socket
    name: 'pathname names: bind, sendto, connect, accept, a regular file, a dangling link, unlink',
    dir: true,
    ops: [
      'sock 1', 'sock 1', 'sock 0', 'sock 0', 'sock 2',
      'pbind 0 0', 'names 0', 'pbind 1 0', 'pbind 0 2', 'pbind 1 3',
      'psendto 1 1 0', 'recv 0 8 0 0', 'psendto 1 1 1', 'psendto 1 1 3', 'psendto 1 1 2',
      'pbind 2 1', 'listen 2 2', 'pconn 1 1', 'pconn 4 1', 'pconn 3 1', 'acc 2', 'names 5', 'names 3',
      'pconn 1 0', 'send 1 3 0 0', 'recv 0 8 0 0', 'names 1',
      'symlink 2', 'pbind 4 2', 'pconn 4 2', 'unlink 2', 'pbind 4 2', 'names 4', 'listen 4 1', 'pconn 3 2',
      'close 0', 'psendto 1 1 0', 'pconn 1 0', 'pbind 1 0', 'unlink 0', 'pbind 1 0', 'names 1',
      'unlink 1', 'pconn 3 1', 'unlink 3', 'pconn 3 3',
    ],
  },
  {
    // slots 0/1 a stream pair, 1 with SO_PASSCRED: what put_cmsg and scm_detach_fds do with the room a
    // whole ucred's cmsg leaves (ROOM 12 less than a header, 13 a bare header, 14 one fd's CMSG_LEN);
    // __scm_send's walk: a second header longer than what is left, an unknown SOL_SOCKET type of a
    // ucred's size; fd 0 free (stdin closed) for received fds and for the SCM_PIDFD fd; another live
    // process's pid as root; then, as a user with three different ids (drop), a foreign uid with an own
    // gid and the reverse, and the other process's pid
    name: 'control room left after the credentials, a second header too long, fd 0 free, one foreign id',
    ops: [
      'pair 0', 'set 1 2 2',
      ...[12, 13, 14].flatMap((r) => ['fds 0 2 0', `recv 1 8 0 ${r}`]),
      // SO_INQ's cmsg (put_cmsg) after the credentials: less than a header left, then a bare header
      'set 1 7 2', 'send 0 1 0 0', 'recv 1 8 0 12', 'send 0 3 0 0', 'recv 1 1 0 13', 'set 1 7 1', 'recv 1 8 0 0',
      'ctl 0 27', 'recv 1 4 0 2', 'ctl 0 28', 'recv 1 4 0 2',
      'closefd 0', 'fds 0 2 0', 'recv 1 8 0 2', 'closefd 0', 'set 1 6 2', 'send 0 1 0 0', 'recv 1 8 0 2',
      // credentials naming another live process: allowed to root (CAP_SYS_ADMIN), EPERM after drop
      'child', 'ctl 0 31', 'recv 1 4 0 2',
      'drop', 'ctl 0 29', 'ctl 0 30', 'ctl 0 31', 'ctl 0 22', 'recv 1 4 0 2',
    ],
  },
  {
    // slots 0/1 a stream pair: OOB bytes read with MSG_OOB one after another (each leaves a consumed
    // mark behind, which the next MSG_OOB read unlinks: unix_stream_recv_urg), SIOCATMARK at every
    // step, then ordinary data after them; 2/3 a second pair whose reader has SO_OOBINLINE and reaches
    // the OOB byte first (manage_oob keeps it inline)
    name: 'OOB bytes read one after another with MSG_OOB, SIOCATMARK between; an SO_OOBINLINE reader at the mark',
    ops: [
      'pair 0',
      ...[0, 1, 2].flatMap(() => ['send 0 1 1 0', 'ioctl 1 1', 'recv 1 1 2 0', 'ioctl 1 1']),
      'send 0 1 1 0', 'ioctl 1 1', 'recv 1 8 0 0', 'ioctl 1 1', 'recv 1 1 2 0', 'send 0 3 0 0', 'ioctl 1 1', 'recv 1 8 0 0', 'ioctl 1 1',
      // a consumed mark between two sends: a read stops there once it has copied (manage_oob), then goes on past it
      'send 0 2 0 0', 'send 0 1 1 0', 'recv 1 1 2 0', 'send 0 2 0 0', 'recv 1 8 0 0', 'ioctl 1 1', 'recv 1 8 0 0',
      // the same with the OOB byte unread: the read stops before it, the next one drops it (not inline) and reads on
      'send 0 2 0 0', 'send 0 1 1 0', 'send 0 2 0 0', 'recv 1 8 0 0', 'recv 1 8 0 0', 'recv 1 8 0 0',
      'send 0 1 1 0', 'recv 1 8 1 0', 'recv 1 8 0 0',
      'pair 0', 'set 3 1 2', 'send 2 2 1 0', 'ioctl 3 1', 'recv 3 8 0 0', 'ioctl 3 1', 'recv 3 8 0 0', 'send 2 1 1 0', 'recv 3 8 1 0', 'recv 3 8 0 0',
    ],
  },
  {
    // move_addr_to_user's faults (unix_ops.c's getname rooms 7-9): the name buffer unmapped, the length
    // unmapped, the length read-only (read, the name copied, the length not stored); for a socketpair's
    // end, an unbound socket, a bound one, and getpeername of an unconnected one (ENOTCONN first)
    name: 'getsockname and getpeername into an unmapped buffer, an unmapped length and a read-only length',
    ops: ['pair 0', 'sock 0', 'sock 0', 'bind 3 0', ...[0, 2, 3].flatMap((s) => [0, 1].flatMap((p) => [7, 8, 9].map((r) => `getname ${s} ${p} ${r}`)))],
  },
  {
    // every address form of unix_ops.c's addr op (lengths 0, 1, 2, 110, 111, 128, 129, other families, an
    // unmapped pointer, pathnames that cannot be made) given to sendto on an unbound datagram socket and on a
    // connected stream one (EISCONN before any check of the name but move_addr_to_kernel's), to connect on an
    // unbound stream socket and to bind on a fresh datagram socket each (slots 4-18)
    name: 'every malformed, oversized and unmapped address to sendto, connect and bind',
    ops: [
      'pair 0', 'sock 1', 'sock 0',
      ...FORMS.flatMap((f) => [`addr 2 2 ${f}`, `addr 0 2 ${f}`, `addr 3 1 ${f}`]),
      ...FORMS.flatMap((f) => ['sock 1', `addr ${4 + f} 0 ${f}`]),
    ],
  },
  {
    // unix_mkname_bsd: a pathname that fills sun_path with no NUL ends at addrlen (getsockname's length 111),
    // one bound with the whole sockaddr_un as addrlen ends at its NUL
    name: 'pathname names that fill sun_path, and one followed by NULs to the whole sockaddr_un',
    dir: true,
    ops: ['sock 1', 'sock 1', 'plong 0 0', 'names 0', 'pfull 1 1', 'names 1', 'psendto 0 1 1', 'recv 1 8 0 0'],
  },
  {
    // dgram.ts, unix_dgram_sendmsg's max_dgram_qlen (10 here: unix_recvq_full, more than 10 queued): slot 0 sends
    // itself 12 datagrams (no limit to itself), then a stranger finds the queue full (and SCM_RIGHTS to a
    // receiver with SO_PASSRIGHTS off EPERM, not EAGAIN); connected to it, the stranger loses POLLOUT until two
    // receives (a peek frees nothing) bring it to 10 (unix_dgram_poll); with slot 0 connected back the limit is
    // off; disconnecting slot 0 (AF_UNSPEC) purges its queue and resets slot 1 (its next receive: ECONNRESET);
    // credentials sent to a receiver without SO_PASSCRED are not shown
    name: 'datagram queue limit: none to itself, full to a stranger, POLLOUT against a full peer, off when connected back',
    ops: [
      'sock 1', 'bind 0 0', ...Array.from({ length: 12 }, () => 'sendto 0 1 0'),
      'sock 1', 'bind 1 1', 'sendto 1 1 0', 'conn 1 0', 'send 1 1 0 0', `sopt 0 ${opt(83)} 1 0`, 'fds 1 1 0', `sopt 0 ${opt(83)} 2 0`,
      'recv 0 1 1 0', 'recv 0 1 0 0', 'send 1 1 0 0', 'recv 0 1 0 0',
      'send 1 1 0 0', 'send 1 1 0 0', 'conn 0 1', 'send 1 1 0 0', 'sendto 1 1 0', 'sendto 0 1 0',
      'unconn 0', 'recv 1 1 0 0', 'send 1 1 0 2', 'recv 0 8 0 2',
    ],
  },
  {
    // dgram.ts, unix_dgram_connect: slot 1 of a pair reconnects to slot 2 with a datagram queued (purged; slot 0,
    // connected back, gets ECONNRESET: unix_dgram_disconnected), the same peer again, AF_UNSPEC, a name nobody
    // holds, a receiver connected to a third socket (EPERM, unix_may_send); the connected peer closed
    // (ECONNREFUSED once, then ENOTCONN; its name gone); SHUT_RD of the receiver and SHUT_WR of the sender (EPIPE);
    // an SO_PASSCRED socket autobound by connect
    name: 'datagram connect, reconnect and AF_UNSPEC; a closed peer, a receiver connected elsewhere, shutdown',
    ops: [
      'pair 1', 'sock 1', 'bind 2 0', 'send 0 2 0 0', 'conn 1 0', 'get 0 1', 'send 0 1 0 0', 'conn 1 0', 'unconn 1',
      'send 1 1 0 0', 'sendto 1 1 0', 'conn 2 2', 'sock 1', 'bind 3 1', 'conn 2 1', 'conn 1 0', 'sendto 3 1 0', 'sendto 1 1 0',
      'close 3', 'send 2 1 0 0', 'send 2 1 0 0', 'sendto 2 1 1',
      'pair 1', 'shut 5 0', 'send 4 1 0 0', 'shut 4 1', 'send 4 1 0 0', 'send 5 1 0 0', 'shut 4 0', 'recv 4 8 0 0', 'recv 4 8 0 0',
      'sock 1', 'set 6 2 2', 'conn 6 0', 'names 6', 'send 6 1 0 0', 'recv 2 8 0 2',
      // disconnecting with an empty queue resets no one; with a queue, only a peer connected back
      'pair 1', 'unconn 7', 'get 8 1', 'bind 7 2', 'conn 7 0', 'sendto 2 1 2', 'unconn 7', 'get 2 1',
      // addresses too short for a family; the bare family (EINVAL before an SO_PASSCRED socket is autobound)
      'addr 7 1 0', 'addr 7 1 1', 'sock 1', 'set 9 2 2', 'addr 9 1 2', 'addr 9 2 2', 'names 9',
    ],
  },
  {
    // dgram.ts, unix_dgram_recvmsg: short buffers (MSG_TRUNC in msg_flags; the MSG_TRUNC flag returns the whole
    // length), peeks, SO_PEEK_OFF walking over whole datagrams (sk_peek_offset_fwd/bwd) and over an empty one
    // once it has been peeked at (skb->peeked), MSG_OOB either way; 2/3 a seqpacket pair (unix_seqpacket_recvmsg), which reads 0 after SHUT_RD even nonblocking
    name: 'datagram receives: MSG_TRUNC, MSG_PEEK, SO_PEEK_OFF over whole and empty datagrams, MSG_OOB',
    ops: [
      'pair 1', 'send 0 3 0 0', 'send 0 7 0 0', 'send 0 0 0 0', 'send 0 2 0 0', 'recv 1 1 1 0', 'recv 1 2 8 0', 'recv 1 8 9 0',
      'recv 1 8 1 0', 'set 1 0 4', 'recv 1 8 1 0', 'recv 1 1 1 0', 'recv 1 8 1 0', 'recv 1 8 1 0', 'get 1 2', 'recv 1 2 8 0',
      'get 1 2', 'recv 1 8 1 0', 'recv 1 8 0 0', 'get 1 2', 'recv 1 8 0 0', 'send 0 1 1 0', 'recv 1 1 2 0',
      'pair 2', 'send 2 0 0 0', 'send 2 2 0 0', 'recv 3 8 1 0', 'set 3 0 1', 'recv 3 8 1 0', 'recv 3 8 1 0', 'recv 3 8 0 0', 'recv 3 8 1 0',
      'shut 3 0', 'recv 3 8 0 0', 'recv 3 8 0 0',
    ],
  },
  {
    // socket.ts's file operations. Slots: 0/1 a stream pair, 2 a listener bound to p0, 3 its client, 4 the
    // accepted socket, 5/6 a datagram pair, 7 an unbound seqpacket socket. read and write (a zero-length read
    // returns 0 before the protocol sees it: sock_read_iter); unix_ioctl and sock_ioctl: SIOCATMARK of a
    // listener with and without a pending connection, FIONREAD of a listener and of datagrams, SIOCGIFINDEX
    // (lo, no such name, an unmapped and a read-only ifreq), TCGETS, unmapped ints, SIOCUNIXFILE (the
    // listener's file, an accepted socket's, unbound, abstract, unlinked, at RLIMIT_NOFILE, into a free fd 0, as a user);
    // fstat, fchmod (bits past 07777), fchown (set-user-ID and set-group-ID dropped: chown_common), bind's
    // mode from fchmod less the umask; then as a user: chmod outside the file's group, chgrp, EPERM; then
    // SO_LINGER's initial value and FIONREAD's OOB skew
    name: 'read, write, ioctls, fstat, fchmod and fchown of socket files',
    dir: true,
    ops: [
      'pair 0', 'sock 0', 'pbind 2 0', 'listen 2 3', 'sock 0', 'pconn 3 0', 'ioctl 2 1', 'ioctl 2 0', 'acc 2', 'ioctl 2 1',
      'pair 1', 'sock 2',
      'rw 0 0 0', 'rw 2 0 0', 'rw 2 4 0', 'rw 7 0 0', 'rw 7 4 0', 'rw 0 4 0', 'rw 1 3 1', 'rw 0 8 0', 'rw 7 3 1',
      'rw 5 3 1', 'rw 5 7 1', 'ioctl 6 0', 'rw 6 2 0', 'ioctl 6 0',
      ...[0, 1, 2, 3].map((w) => `ioc 0 ${w}`), 'ioc 5 0', ...[5, 6, 7, 8].map((w) => `ioc 0 ${w}`),
      'ioctl 5 1', 'ioctl 7 1', 'ioc 5 7', 'ioctl 1 2',
      'ioc 2 4', 'ioc 4 4', 'ioc 3 4', 'bind 7 0', 'ioc 7 4', 'unlink 0', 'ioc 2 4', 'nofile 0', 'ioc 2 4', 'nofile 40', 'closefd 0', 'ioc 2 4',
      'fst 0', 'fch 0 1', 'fst 0', 'fch 0 4', 'fst 0', 'fch 0 3', 'fch 0 5', 'fst 0', 'fch 1 0', 'pbind 1 1', 'pstat 1',
      'fch 0 6', 'fch 0 3', 'drop', 'fch 0 3', 'fst 0', 'fch 0 5', 'fst 0', 'fch 0 6', 'fch 0 2', 'fst 0', 'fch 1 1', 'ioc 2 4',
      // SO_LINGER of a socket that never set it; 8/9 a stream pair: FIONREAD counts an OOB byte a plain read
      // dropped (unix_inq_len's skew) even once nothing is left to read
      `gopt 7 ${opt(13)} 6`, 'pair 0', 'send 8 2 0 0', 'send 8 1 1 0', 'send 8 2 0 0', 'recv 9 2 0 0', 'ioctl 9 0', 'recv 9 1 0 0',
      'ioctl 9 0', 'recv 9 8 0 0', 'ioctl 9 0', 'send 8 1 1 0', 'send 8 1 0 0', 'recv 9 8 0 0', 'ioctl 9 0',
    ],
  },
  {
    // O_ASYNC (F_SETOWN, F_SETSIG to SIGIO: each signal's si_code is printed) and blocking calls with a
    // timeout. Slots 0/1 a stream pair: POLL_IN per send; a blocking read that times out (EAGAIN; the
    // SOCKWQ_ASYNC_WAITDATA it set is cleared again, so the next send signals); one interrupted by a signal
    // under a timeout (EINTR even with SA_RESTART: sock_intr_errno); a writer filling a small SO_SNDBUF
    // (EAGAIN marks SOCKWQ_ASYNC_NOSPACE; a blocking send times out or is interrupted), then reads until
    // there is room again: POLL_OUT once; O_ASYNC off. 2 a listener: accept times out, a connect signals it.
    // SHUT_WR and close of 0 signal 1 (POLL_IN, POLL_HUP). 5/6 a datagram pair: the same reads.
    name: 'O_ASYNC signals and blocking calls ended by a timeout or a signal',
    ops: [
      'pair 0', 'async 1 1', 'send 0 3 0 0', 'recv 1 8 0 0', 'blk 1 0', 'send 0 2 0 0', 'blk 1 3', 'blk 1 3', 'send 0 1 0 0',
      'async 0 1', 'set 0 4 7', ...Array(8).fill('send 0 511 0 0'), 'blk 0 2', 'blk 0 4', ...Array(7).fill('recv 1 511 0 0'),
      'async 1 0', 'send 0 1 0 0',
      'sock 0', 'bind 2 0', 'listen 2 2', 'async 2 1', 'blk 2 1', 'sock 0', 'conn 3 0', 'blk 2 1', 'async 1 1', 'shut 0 1', 'close 0',
      'pair 1', 'async 6 1', 'send 5 1 0 0', 'blk 6 0', 'blk 6 0', 'blk 6 3', 'send 5 1 0 0',
    ],
  },
  {
    // Sleepers with no timeout, woken by a second process (op bg: a child acting 30 ms later, which blk waits
    // for; each result is the same whether or not the parent was asleep yet). Slots 0/1 a stream pair: a recv
    // that a timer's signal interrupts (SA_RESTART, no timeout: restarted, it reads the byte the handler
    // wrote), then one woken by data (sk_data_ready) and one by the peer's SHUT_WR (sk_state_change: 0).
    // 2/3: a writer on a full small buffer woken by a read (room) and by the reader's SHUT_RD (EPIPE). 4/5:
    // poll woken by data and by room. 6 a listener: accept and poll woken by a connection, accept by the
    // listener's own SHUT_RDWR (EINVAL). 9/10 a datagram pair: recv and poll woken by a datagram.
    name: 'blocking calls and poll woken by another process: data, shutdowns, room, a connection',
    ops: [
      'pair 0', 'blk 1 5 0', 'bg 0 0', 'blk 1 6', 'bg 0 1', 'blk 1 6',
      'pair 0', 'set 2 4 7', ...Array(8).fill('send 2 511 0 0'), 'bg 3 3', 'blk 2 8', ...Array(8).fill('send 2 511 0 0'), 'bg 3 2', 'blk 2 8',
      'pair 0', 'bg 4 0', 'blk 5 9', 'set 4 4 7', ...Array(8).fill('send 4 511 0 0'), 'bg 5 3', 'blk 4 10',
      'sock 0', 'bind 6 0', 'listen 6 2', 'bg 6 4', 'blk 6 7', 'bg 6 4', 'blk 6 9', 'acc 6', 'bg 6 5', 'blk 6 7',
      'pair 1', 'bg 9 0', 'blk 10 6', 'bg 9 0', 'blk 10 9',
    ],
  },
  {
    // stream.ts's send loop with a second process (op bg). Slots 0/1 a stream pair, 0 with a 4608-byte send
    // buffer filled by two 2240-byte skbs: a blocking send of 8192 bytes (four skbs) under a 600 ms
    // SO_SNDTIMEO, its reader emptying the queue at 300 ms and at 750 ms: each skb's sock_alloc_send_pskb
    // takes the timeout afresh (sock_sndtimeo), so the third skb's 450 ms wait is in time and all of it is
    // sent. Then sends without MSG_NOSIGNAL (unix_ops.c counts SIGPIPE): one asleep on the full buffer when the
    // peer's SHUT_RD (2/3: its own SHUT_WR, 4/5: the peer's SHUT_RDWR) wakes it fails in
    // sock_alloc_send_pskb (out_err: EPIPE, no SIGPIPE); write() after it meets SEND_SHUTDOWN first (out_pipe:
    // SIGPIPE); seqpacket (6/7) and datagram (8/9) EPIPE never signals
    name: 'stream sends that sleep: SO_SNDTIMEO per skb, EPIPE after a wait without SIGPIPE, SIGPIPE on write',
    ops: [
      'pair 0', 'set 0 4 6', 'big 0 100000', 'bg 1 6', 'blk 0 12', 'ioctl 0 2', 'ioctl 1 0',
      'bg 1 2', 'blk 0 11', 'rw 0 3 1', 'send 0 0 0 0',
      'pair 0', 'set 2 4 6', 'big 2 100000', 'bg 2 1', 'blk 2 11', 'rw 2 1 1',
      'pair 0', 'set 4 4 6', 'big 4 100000', 'bg 5 5', 'blk 4 11',
      'pair 2', 'shut 7 0', 'rw 6 3 1', 'pair 1', 'shut 9 0', 'rw 8 3 1',
    ],
  },
  {
    // stream.ts's send checks. Slots 0/1 a stream pair, 1 with O_ASYNC (SIGIO's si_code shows each
    // sk_data_ready, and none for a send that failed): MSG_OOB of nothing (EOPNOTSUPP); SO_PASSRIGHTS off at 1
    // refuses fds sent plainly, as the OOB byte (queue_oob) and in the first skb of an OOB send (EPERM, nothing
    // left charged: TIOCOUTQ), not a message without them; a message sent with SO_PASSCRED on neither end read
    // after 1 turns it on (no credentials: pid 0, the overflow ids); an OOB byte: sk_send_sigurg's kill_fasync
    // (POLL_PRI, before sk_data_ready's POLL_IN); 4, accepted from listener 2, got 3's data before accept()
    // with its credentials (unix_maybe_add_creds: !other->sk_socket); OOB sends on a full buffer (EAGAIN); a
    // blocking send woken by a read queues its skb and signals 1. 5/6 seqpacket, 5 with O_ASYNC: a message
    // (POLL_IN), SO_PASSRIGHTS off (EPERM), MSG_OOB (EOPNOTSUPP), the peer closed with a message unread
    // (ECONNRESET, then EPIPE); 7/8 seqpacket at sndbuf - 32 (EMSGSIZE past it), a blocking send timing out
    // and one woken by a read; 9/10/11 datagram: 10 reconnecting resets 9 (sock_alloc_send_pskb's sock_error:
    // ECONNRESET); too_many_unix_fds as root (no limit) and as a user, one fd at a time: as many in flight as
    // RLIMIT_NOFILE still pass, one more is ETOOMANYREFS; with their receivers closed no reference to the
    // pipe is left (pipehup)
    name: 'stream and seqpacket send checks: MSG_OOB, SO_PASSRIGHTS, late credentials, EMSGSIZE, ETOOMANYREFS, SIGIO',
    ops: [
      'pair 0', 'async 1 1', 'send 0 0 1 0', `sopt 1 ${opt(83)} 1 0`, 'fds 0 1 0', 'send 0 1 1 1', 'send 0 3 1 1', 'ioctl 0 2',
      'send 0 1 0 0', 'recv 1 8 0 0', `sopt 1 ${opt(83)} 2 0`, 'send 0 1 0 0', 'set 1 2 2', 'recv 1 8 0 2', 'set 1 2 1',
      'send 0 1 1 0', 'recv 1 1 2 0',
      'sock 0', 'bind 2 0', 'listen 2 2', 'sock 0', 'conn 3 0', 'send 3 2 0 0', 'acc 2', 'set 4 2 2', 'recv 4 8 0 2',
      'set 0 4 6', 'big 0 100000', 'send 0 1 1 0', 'send 0 3 1 0', 'bg 1 3', 'blk 0 8', 'ioctl 1 1', 'recv 1 511 0 0', 'async 1 0',
      'pair 2', 'async 5 1', 'send 6 1 0 0', `sopt 6 ${opt(83)} 1 0`, 'fds 5 1 0', 'ioctl 5 2', 'send 5 1 1 0', 'close 5',
      'send 6 1 0 0', 'send 6 1 0 0',
      'pair 2', 'set 7 4 6', 'big 7 4577', 'big 7 4576', 'big 7 4000', 'blk 7 2', 'bg 8 3', 'blk 7 8',
      'pair 1', 'sock 1', 'bind 11 1', 'send 9 2 0 0', 'conn 10 1', 'send 9 1 0 0', 'send 9 1 0 0',
      'pair 0', 'nofile 0', 'fds 12 253 0', 'fds 12 253 0', 'nofile 40',
      'drop', 'pair 0', 'nofile 0', 'fds 14 16 0', ...Array(8).fill('fds 14 1 0'), 'nofile 40', 'close 13', 'close 15', 'pipehup',
    ],
  },
  {
    // msghdr.ts: struct msghdr as __copy_msghdr, import_iovec, ____sys_sendmsg and ___sys_recvmsg read and
    // write it (unix_ops.c's op mh). Slots 0/1 a stream pair, 2/3 a datagram pair (2 bound), 4 an unbound
    // datagram socket: each malformed header to sendmsg on 4 and on the connected 0 (a name's checks come
    // before EISCONN), then recvmsg: a read-only header (the data is taken, then EFAULT storing msg_flags),
    // a name with msg_namelen -1, an unmapped header and 1025 iovecs (the data stays)
    name: 'struct msghdr: unmapped, negative msg_namelen, too many iovecs, 64-bit lengths, control past optmem_max',
    ops: [
      'pair 0', 'pair 1', 'sock 1', 'bind 2 0',
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].flatMap((f) => [`mh 4 ${f}`, `mh 0 ${f}`]),
      'send 1 3 0 0', 'mh 0 12', 'recv 0 8 0 0', 'send 1 3 0 0', 'mh 0 13', 'mh 0 14', 'mh 0 15', 'recv 0 8 0 0',
      'send 3 2 0 0', 'mh 2 12', 'recv 2 8 0 0',
    ],
  },
  {
    // syscalls.ts's batches: sendmmsg and recvmmsg as __sys_sendmmsg and do_recvmmsg run them (unix_ops.c's op
    // mmsg). Slots 0/1 a datagram pair: an error on the second entry after one datagram is the count, and
    // sk_err (POLLERR, SO_ERROR EFAULT) for later; a zero timeout ends the batch after one; a bad timespec;
    // no entries; an error on the second send. 2/3 a stream pair: the pending error is recvmmsg's whole answer,
    // before the data. 4/5: an out-of-band byte ends the batch (no MSG_OOB receive left to fail and set
    // sk_err). 6/7: a message sent in part (the buffer filled) ends the batch before an empty one; 8/9: sent whole, it does not. 10/11: EAGAIN, alone and after a datagram, sets no sk_err; a 1 s timeout's time left; an error on the first entry (MSG_OOB on a datagram) is the answer and no sk_err.
    name: 'sendmmsg and recvmmsg: errors after a message, sk_err, the timeout, MSG_OOB, a partial send',
    ops: [
      'pair 1', 'send 0 5 0 0', 'send 0 6 0 0', 'mmsg 1 1 3', 'get 1 1', 'recv 1 8 0 0',
      'send 0 3 0 0', 'send 0 4 0 0', 'mmsg 1 3 2', 'mmsg 1 4 2', 'mmsg 1 0 1', 'mmsg 0 6 0', 'mmsg 0 7 3', 'mmsg 1 0 3',
      'pair 0', 'send 2 5 0 0', 'mmsg 3 1 3', 'send 2 3 0 0', 'mmsg 3 0 2', 'mmsg 3 0 2',
      'pair 0', 'send 4 5 0 0', 'send 4 2 1 0', 'mmsg 5 2 3', 'mmsg 5 0 3',
      'pair 0', 'set 6 4 0', 'big 6 100000', 'mmsg 6 5 3', 'mmsg 7 0 3', 'pair 0', 'mmsg 8 5 3', 'mmsg 9 0 3',
      'pair 1', 'mmsg 11 0 0', 'send 10 2 0 0', 'mmsg 11 0 3', 'mmsg 11 0 0', 'send 10 3 0 0', 'send 10 4 0 0', 'mmsg 11 8 2', 'mmsg 11 8 0',
      'send 10 1 0 0', 'mmsg 11 2 0', 'mmsg 11 0 0',
    ],
  },
  {
    // syscalls.ts's socket() and socketpair() (unix_ops.c's op mk): the checks of __sys_socket,
    // __sys_socketpair, __sock_create and unix_create and their order: flag bits, the family (NPROTO,
    // AF_UNSPEC, sock_no_socketpair of AF_INET and AF_INET6), SOCK_MAX, the protocol (0 or PF_UNIX), the type
    // (SOCK_RAW becomes SOCK_DGRAM, ESOCKTNOSUPPORT), SOCK_NONBLOCK and SOCK_CLOEXEC on what is made; socketpair
    // reserves both fds (EMFILE) and stores them (EFAULT) before it makes the sockets
    name: 'socket and socketpair: every check of the domain, type, flags and protocol, in Linux\'s order',
    ops: [
      'mk 0 0 0 0', 'mk 0 0 1 0', 'mk 0 0 2 0', 'mk 0 0 3 0', 'mk 0 0 4 0', 'mk 0 0 5 0', 'mk 0 0 6 0', 'mk 0 0 7 0',
      'mk 0 0 8 0', 'mk 0 0 9 0', 'mk 0 0 10 0', 'mk 0 0 11 0', 'mk 0 0 12 0', 'mk 0 0 13 0', 'mk 0 0 14 0',
      'mk 0 0 15 0', 'mk 0 0 0 1', 'mk 0 0 0 2', 'mk 0 0 0 3', 'mk 0 0 0 4', 'mk 0 0 4 2', 'mk 0 0 13 2',
      'mk 0 0 9 1', 'mk 0 0 3 1', 'mk 0 1 0 0', 'mk 0 1 8 0', 'mk 1 1 0 0', 'mk 1 1 8 0', 'mk 0 2 0 0', 'mk 0 2 8 0',
      'mk 1 2 0 0', 'mk 1 2 8 0', 'mk 0 3 0 0', 'mk 0 3 8 0', 'mk 1 3 0 0', 'mk 1 3 8 0', 'mk 0 4 0 0', 'mk 0 4 8 0',
      'mk 1 4 0 0', 'mk 1 4 8 0', 'mk 1 0 1 0', 'mk 1 0 1 3', 'mk 1 0 3 0', 'mk 1 0 3 3', 'mk 1 0 5 0', 'mk 1 0 5 3',
      'mk 1 0 12 0', 'mk 1 0 12 3', 'mk 1 0 13 0', 'mk 1 0 13 3', 'mk 1 5 0 0', 'mk 1 6 1 0', 'mk 1 5 2 0',
      'mk 2 5 0 0', 'mk 2 0 0 0', 'mk 2 0 13 0', 'mk 2 0 4 0', 'mk 2 1 0 0', 'nofile 1', 'mk 1 0 0 0', 'mk 1 5 0 0',
      'mk 2 0 0 0', 'mk 1 0 13 0', 'mk 0 0 1 0', 'mk 0 0 1 0', 'mk 0 0 4 0',
    ],
  },
  {
    // syscalls.ts's accept and accept4 (unix_ops.c's op acc4; __sys_accept4, do_accept): unknown flag bits
    // are EINVAL; SOCK_CLOEXEC and SOCK_NONBLOCK on the new file only; the peer's name whole, truncated to the
    // room given (its full length stored), or into an unmapped buffer (EFAULT, and the connection is gone:
    // its client sees the reset); the fd is reserved before the wait, so a full table is EMFILE even with
    // nothing pending. Slot 0 a listener with six clients (the sixth past the backlog), 3 bound.
    name: 'accept4: flags, the peer name and its room, an unmapped name, EMFILE before the wait',
    ops: [
      'sock 0', 'bind 0 0', 'listen 0 5', 'sock 0', 'conn 1 0', 'sock 0', 'conn 2 0', 'sock 0', 'bind 3 1', 'conn 3 0', 'sock 0', 'conn 4 0', 'sock 0', 'conn 5 0',
      'sock 0', 'conn 6 0', 'acc4 0 0', 'acc4 0 1', 'acc4 0 2', 'acc4 0 3', 'acc4 0 4', 'acc4 0 5', 'acc4 0 5', 'nofile 0', 'acc4 0 2', 'acc 0', 'pair 0',
    ],
  },
  {
    // stream.ts, unix_stream_read_generic's boundaries, non-blocking. Slots 0/1 a stream pair. Without
    // SO_PASSCRED a peek glues a message without credentials to one with SCM_CREDENTIALS of other ids; a
    // recv of 0 bytes returns 0 with data queued; SO_PEEK_OFF moved back by a plain read (sk_peek_offset_bwd).
    // With SO_PASSCRED a peek at an offset skips whole messages, and reads and peeks stop where the
    // credentials change (unix_skb_scm_eq: a uid alone, another process's pid alone); a read that fills the
    // buffer at a message's end leaves the next one's fds, which a 0-byte read then takes; SO_RCVLOWAT above
    // what is queued returns what is there (non-blocking)
    name: 'stream reads and peeks across credentials, SO_PEEK_OFF skips, fds after a full buffer, 0-byte reads',
    ops: [
      'pair 0', 'send 0 2 0 0', 'ctl 0 15', 'recv 1 8 1 0', 'recv 1 0 0 0', 'set 1 0 1', 'recv 1 8 1 0', 'recv 1 1 0 0', 'get 1 2',
      'recv 1 8 0 0', 'set 1 2 2', 'send 0 2 0 0', 'ctl 0 17', 'child', 'ctl 0 31', 'send 0 2 0 0',
      ...Array(4).fill('recv 1 8 1 2'), 'get 1 2', 'recv 1 1 0 2', ...Array(4).fill('recv 1 8 0 2'),
      'send 0 2 0 0', 'send 0 2 0 1', 'recv 1 2 0 2', 'recv 1 0 0 2', 'recv 1 8 0 2', 'set 1 3 4', 'send 0 3 0 0', 'recv 1 8 0 0',
      // 3/4 (slot 2 is the pipe end received above): SO_PASSCRED set after two sends, which are read together
      // (neither has credentials), not with the next; explicit SCM_CREDENTIALS of the sender's own ids are the same credentials; a peek from
      // SO_PEEK_OFF 1, inside a message, across two; a read moves it back (sk_peek_offset_bwd)
      'pair 0', 'send 3 2 0 0', 'send 3 2 0 0', 'set 4 2 2', 'send 3 2 0 0', 'recv 4 8 0 2', 'recv 4 8 0 2',
      'send 3 2 0 0', 'send 3 2 0 2', 'send 3 2 0 0', 'recv 4 8 0 2', 'set 4 0 2', 'send 3 3 0 0', 'send 3 3 0 0',
      'recv 4 8 1 2', 'recv 4 2 0 2', 'get 4 2', 'recv 4 8 0 2',
      // 5/6: a consumed OOB mark alone in the queue is freed by a read that finds nothing (manage_oob: the
      // sender's TIOCOUTQ drops); a peek at an offset past a message lands on the OOB byte and reads it in line;
      // a blocking read with SO_RCVLOWAT 5 stops at the mark without waiting
      'pair 0', 'send 5 1 1 0', 'recv 6 1 2 0', 'ioctl 5 2', 'recv 6 8 0 0', 'ioctl 5 2', 'set 6 0 1', 'send 5 2 0 0',
      'send 5 1 1 0', 'send 5 2 0 0', 'recv 6 2 1 0', 'recv 6 8 1 0', 'recv 6 8 0 0', 'set 6 3 4', 'send 5 2 0 0', 'send 5 1 1 0',
      'blk 6 6', 'recv 6 8 0 0',
      // a peek at a message with fds gets fresh references to them and stops after it (unix_peek_fds)
      'send 3 2 0 1', 'send 3 2 0 0', 'recv 4 8 1 2', 'recv 4 8 0 2',
    ],
  },
  {
    // stream.ts, reads that wait (unix_stream_data_wait), woken by op bg's second process, and what a close
    // or shutdown leaves. Slots 0/1: with O_ASYNC on, a reader asleep on the direct path gets no SIGIO for
    // the data that wakes it (SOCKWQ_ASYNC_WAITDATA), the next send does; SO_RCVLOWAT 5 with 4 bytes queued waits for the 5th;
    // with 3 queued a 20 ms SO_RCVTIMEO and a signal end the wait with the 3 bytes; SO_RCVLOWAT 100 is cut
    // to the 8-byte buffer; SHUT_WR ends a partial wait. 2/3: an SO_PASSCRED reader (the general path) asleep
    // without SIGIO; SHUT_RD signals nothing, SHUT_WR POLL_IN. 4/5: how 3 EINVAL, SHUT_RDWR POLL_HUP. 6/7 and 8/9:
    // unix_release_sock with a consumed OOB mark left (no ECONNRESET), and with data after it (ECONNRESET)
    name: 'stream reads that wait: SO_RCVLOWAT, a timeout or signal after a partial read, SIGIO while asleep, resets',
    ops: [
      'pair 0', 'async 1 1', 'bg 0 0', 'blk 1 6', 'send 0 1 0 0', 'recv 1 8 0 0', 'async 1 0', 'set 1 3 4', 'send 0 4 0 0', 'bg 0 0', 'blk 1 6', 'send 0 3 0 0', 'blk 1 0',
      'send 0 3 0 0', 'blk 1 3', 'set 1 3 5', 'send 0 7 0 0', 'bg 0 0', 'blk 1 6', 'send 0 2 0 0', 'bg 0 1', 'blk 1 6',
      'pair 0', 'set 3 2 2', 'async 3 1', 'bg 2 0', 'blk 3 6', 'shut 2 0', 'shut 2 1', 'close 3', 'recv 2 8 0 0',
      'pair 0', 'async 5 1', 'shut 4 3', 'shut 4 2',
      'pair 0', 'send 6 1 1 0', 'recv 7 1 2 0', 'close 7', 'recv 6 8 0 0',
      'pair 0', 'send 8 1 1 0', 'recv 9 1 2 0', 'send 8 1 0 0', 'close 9', 'recv 8 8 0 0', 'recv 8 8 0 0',
    ],
  },
];
