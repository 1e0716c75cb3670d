// A child blocks reading a pipe while its parent works a while before
// writing one message and closing. The only real wakeups are the write
// (data is there) and the close (EOF is right), so a pipe read that trusts
// its wakeup without re-checking (planted bug pipe-read-no-recheck) passes
// every schedule, until a spurious wakeup (--spurious-wakeups) lets it read
// an empty pipe as EOF:
//   npx unixsim sweep scenarios/fault-pipe-spurious-wakeup.ts --seeds 200 --bug pipe-read-no-recheck --spurious-wakeups
import { defineScenario } from '../src/script/scenario.ts';
import { text, type Sys, type SysGen } from '../src/script/sys.ts';
import { EINTR } from '../src/kernel/errno.ts';

/** wait4, retried when a signal interrupts it (as EINTR-correct programs do). */
function* waitFor(sys: Sys, pid: number): SysGen<number> {
  for (;;) {
    const w = yield* sys.wait(pid);
    if (w.ret !== -EINTR) return w.status;
  }
}

export default defineScenario({
  name: 'fault-pipe-spurious-wakeup',
  description: 'a reader asleep on an empty pipe must not see EOF before the writer closes',
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const p = yield* sys.pipe();
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(p.fds[1]);
          let got = '';
          for (;;) {
            const r = yield* sys.read(p.fds[0], 64);
            if (r.ret === -EINTR) continue;
            if (r.ret <= 0) break;
            got += text(r.data);
          }
          sys.log('got', got);
          yield* sys.close(p.fds[0]);
          return 0;
        });
        yield* sys.close(p.fds[0]);
        for (let i = 0; i < 6; i++) yield* sys.getpid(); // the child is asleep by now, in most schedules
        yield* sys.write(p.fds[1], 'hello');
        yield* sys.close(p.fds[1]);
        sys.log('child status', yield* waitFor(sys, child));
        return 0;
      },
    },
  ],
  targets: ['read(pipe/empty)=ok+slept', 'read(pipe/empty+no-writers)=0', 'read(pipe/empty)=woke-to-false-condition'],
  checks: {
    'the reader got the message before EOF': (run) => run.log('got') === 'hello' || `got "${run.log('got')}"`,
  },
});
