// fstat on pipe ends: both ends of one pipe share an inode number and two
// pipes have different ones (pipefs gives each pipe its own inode). The
// numbers are part of the run, so the same seed must give the same ones:
// `unixsim sweep` runs its first seed again at the end and compares. A pipe
// inode counter kept outside the kernel instance (planted bug
// global-pipe-ino) keeps counting from the previous run: the repeat differs.
//   npx unixsim sweep scenarios/acceptance-pipe-ino.ts --seeds 5 --bug global-pipe-ino
import { defineScenario } from '../src/script/scenario.ts';

export default defineScenario({
  name: 'acceptance-pipe-ino',
  description: 'pipe inode numbers: shared by the two ends, distinct between pipes, the same for the same seed',
  processes: [
    {
      name: 'main',
      *program(sys) {
        const inos: number[] = [];
        for (let i = 0; i < 2; i++) {
          const p = yield* sys.pipe();
          for (const fd of p.fds) inos.push((yield* sys.fstat(fd)).stat?.ino ?? -1);
          for (const fd of p.fds) yield* sys.close(fd);
        }
        sys.log('inos', inos);
        return 0;
      },
    },
  ],
  checks: {
    'the ends of a pipe share an inode, pipes do not': (run) => {
      const [a, b, c, d] = run.log('inos') as number[];
      return (a === b && c === d && a !== c && a > 0) || `inodes ${[a, b, c, d].join(',')}`;
    },
  },
});
