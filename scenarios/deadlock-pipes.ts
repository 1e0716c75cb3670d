// EXPECTED TO FAIL: a deadlock, on purpose. Parent and child each read from
// the pipe the other one never writes (and both keep every write end open,
// so neither read can end in EOF). The run must end as a deadlock whose
// report names both sleepers and the queue each one sleeps on; the test in
// scenarios.test.ts asserts that report.
import { defineScenario } from '../src/script/scenario.ts';

export default defineScenario({
  name: 'deadlock-pipes',
  description: 'EXPECTED DEADLOCK: two processes each read the pipe the other never writes',
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const toChild = yield* sys.pipe();
        const toParent = yield* sys.pipe();
        sys.log('toChild ino', (yield* sys.fstat(toChild.fds[0])).stat?.ino);
        sys.log('toParent ino', (yield* sys.fstat(toParent.fds[0])).stat?.ino);
        yield* sys.fork(function* child(sys) {
          // waits for the parent, who is waiting for the child
          yield* sys.read(toChild.fds[0], 1);
          return 0;
        });
        yield* sys.read(toParent.fds[0], 1);
        return 0;
      },
    },
  ],
});
