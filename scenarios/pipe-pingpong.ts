// Two processes bounce a counter through a pair of pipes: the parent writes
// "ping N", the child answers "pong N". Every message must arrive intact
// and in order under any interleaving.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';

const ROUNDS = 20;

export default defineScenario({
  name: 'pipe-pingpong',
  description: 'parent and child exchange 20 ping/pong messages over two pipes',
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const down = yield* sys.pipe();
        const up = yield* sys.pipe();
        const child = yield* sys.fork(function* child(sys) {
          yield* sys.close(down.fds[1]);
          yield* sys.close(up.fds[0]);
          for (let i = 0; i < ROUNDS; i++) {
            const m = yield* sys.readAll(down.fds[0], `ping ${i}`.length);
            if (text(m.data) !== `ping ${i}`) throw new Error(`child got "${text(m.data)}" in round ${i}`);
            yield* sys.write(up.fds[1], `pong ${i}`);
          }
          return 0;
        });
        yield* sys.close(down.fds[0]);
        yield* sys.close(up.fds[1]);
        let pongs = 0;
        for (let i = 0; i < ROUNDS; i++) {
          yield* sys.write(down.fds[1], `ping ${i}`);
          const m = yield* sys.readAll(up.fds[0], `pong ${i}`.length);
          if (text(m.data) === `pong ${i}`) pongs++;
        }
        sys.log('pongs', pongs);
        const w = yield* sys.wait(child);
        sys.log('child status', w.status);
        yield* sys.close(down.fds[1]);
        yield* sys.close(up.fds[0]);
        return 0;
      },
    },
  ],
  checks: {
    'every ping was answered in order': (run) => run.log('pongs') === ROUNDS,
    'the child exited 0 and was reaped': (run) => run.log('child status') === 0,
  },
});
