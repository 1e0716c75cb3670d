// Two processes that never block, each taking three steps (its start up to
// the first syscall, then two getpid calls, the second of which runs on to
// the exit): small enough to count its schedules by hand, and every pair of
// steps independent (each touches only its own task).
import { defineScenario } from '../../src/script/scenario.ts';

export const twoGetpids = defineScenario({
  name: 'two-getpids',
  processes: ['a', 'b'].map((name) => ({
    name,
    *program(sys) {
      yield* sys.getpid();
      yield* sys.getpid();
      return 0;
    },
  })),
});
