// Two processes hold the two ends of a pair, each passes its end (and a
// second pair's end) over the other and exits without reading. The sockets
// are left referenced only by messages queued on each other: a cycle no fd
// table reaches. The collector must reclaim it (the runner fails a run that
// ends with open files); whichever order the exits and sends interleave in.
import { defineScenario } from '../src/script/scenario.ts';
import { AF_UNIX, MSG_NOSIGNAL, SOCK_SEQPACKET, SOCK_STREAM } from '../src/unix/constants.ts';

export default defineScenario({
  name: 'race-scm-cycle-exit',
  description: 'both ends pass sockets over each other and exit: the garbage collector reclaims the cycle',
  processes: [
    {
      name: 'left',
      *program(sys) {
        const [a, b] = (yield* sys.socketpair(AF_UNIX, SOCK_STREAM)).fds;
        const [c, d] = (yield* sys.socketpair(AF_UNIX, SOCK_SEQPACKET)).fds;
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(a);
          yield* sys.close(c);
          // b over b (into a's queue), d over d (into c's queue)
          sys.log('right sends', [yield* sys.sendmsg(b, { data: 'r', fds: [b, d] }, MSG_NOSIGNAL), yield* sys.sendmsg(d, { data: 'r', fds: [d, b] }, MSG_NOSIGNAL)]);
          return 0;
        });
        yield* sys.close(b);
        yield* sys.close(d);
        sys.log('left sends', [yield* sys.sendmsg(a, { data: 'l', fds: [a, c] }, MSG_NOSIGNAL), yield* sys.sendmsg(c, { data: 'l', fds: [c, a] }, MSG_NOSIGNAL)]);
        yield* sys.close(a);
        yield* sys.close(c);
        sys.log('child', (yield* sys.wait(child)).status);
        // by now every socket is referenced by messages only; the collector is a kernel
        // thread (Linux >= 6.10's unix_gc_work): while this process sleeps, it runs
        yield* sys.nanosleep(1000);
        sys.log('open files', sys.ctx.task.kernel.files.live.size);
        return 0;
      },
    },
  ],
  checks: {
    'every send succeeded (or found the peer gone)': (run) => {
      const all = [...(run.log('left sends') as number[]), ...(run.log('right sends') as number[])];
      return all.every((v) => v === 1 || v === -32) || JSON.stringify(all);
    },
    'only the parent console files remain open before it exits': (run) => run.log('open files') === 3 || `open files ${String(run.log('open files'))}`,
    'the child exited 0': (run) => run.log('child') === 0,
  },
});
