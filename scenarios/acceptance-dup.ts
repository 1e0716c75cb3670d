// dup(2) gives a second fd for the same open file description: closing one
// leaves the other working. A parent dups a pipe's write end, closes the
// original, forks a child that writes through the copy, and reads the
// message and then EOF. A dup that installs the new fd without taking a
// reference (planted bug dup-no-ref) releases the pipe end at the first
// close: the reader sees EOF before the message, and the second close puts
// a released file.
//   npx unixsim sweep scenarios/acceptance-dup.ts --seeds 20 --bug dup-no-ref
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';

export default defineScenario({
  name: 'acceptance-dup',
  description: 'a dup of a pipe end outlives the fd it was duplicated from',
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const p = yield* sys.pipe();
        const copy = yield* sys.dup(p.fds[1]);
        sys.log('dup', copy >= 0);
        yield* sys.close(p.fds[1]);
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(p.fds[0]);
          sys.log('write', yield* sys.write(copy, 'through the copy'));
          yield* sys.close(copy);
          return 0;
        });
        yield* sys.close(copy);
        const m = yield* sys.readAll(p.fds[0], 64);
        sys.log('got', text(m.data));
        yield* sys.close(p.fds[0]);
        yield* sys.wait(child);
        return 0;
      },
    },
  ],
  checks: {
    'the message came through the copy': (run) => run.log('got') === 'through the copy' || `got "${run.log('got')}" (write ${run.log('write')})`,
  },
});
