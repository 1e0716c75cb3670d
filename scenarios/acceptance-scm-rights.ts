// fd passing: the parent opens a regular file and hands its fd to a forked
// child over a socketpair with sendmsg(SCM_RIGHTS). The child receives a
// new fd for the same open file description, reads the file through it and
// checks the content; because the description (and so the offset) is
// shared, the parent's lseek(fd, 0, SEEK_CUR) afterwards shows where the
// child's read left it.
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { O_RDONLY, SEEK_CUR } from '../src/kernel/abi.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';

const PATH = '/tmp/motd';
const CONTENT = 'fd passing works: this file was opened by the parent\n';
const CHILD_READS = 20;

export default defineScenario({
  name: 'acceptance-scm-rights',
  description: 'parent passes an open regular file to its child over a socketpair; the child reads it; the offset is shared',
  files: { [PATH]: CONTENT },
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const sp = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const [mine, theirs] = sp.fds;
        const child = yield* sys.fork(function* (sys) {
          yield* sys.close(mine);
          const m = yield* sys.recvmsg(theirs, { n: 16 });
          sys.log('child recvmsg', [m.ret, text(m.data), m.fds.length, m.flags]);
          const fd = m.fds[0];
          const st = yield* sys.fstat(fd);
          sys.log('child sees a regular file', st.stat ? (st.stat.mode & 0o170000) === 0o100000 : false);
          const r = yield* sys.read(fd, CHILD_READS);
          sys.log('child read', text(r.data));
          yield* sys.close(fd);
          yield* sys.write(theirs, 'done');
          yield* sys.close(theirs);
          return 0;
        });
        yield* sys.close(theirs);
        const fd = yield* sys.open(PATH, O_RDONLY);
        sys.log('open', fd >= 0);
        sys.log('sendmsg', yield* sys.sendmsg(mine, { data: 'here', fds: [fd] }));
        const done = yield* sys.readAll(mine, 4);
        sys.log('child done', text(done.data));
        sys.log('parent offset after child read', yield* sys.lseek(fd, 0, SEEK_CUR));
        const rest = yield* sys.read(fd, 4096);
        sys.log('parent reads the rest', text(rest.data));
        yield* sys.close(fd);
        yield* sys.close(mine);
        sys.log('child status', (yield* sys.wait(child)).status);
        return 0;
      },
    },
  ],
  checks: {
    'the parent opened the file and sent its fd': (run) => (run.log('open') === true && run.log('sendmsg') === 4) || `sendmsg ${String(run.log('sendmsg'))}`,
    'the child received the data and exactly one fd, no truncation': (run) =>
      JSON.stringify(run.log('child recvmsg')) === JSON.stringify([4, 'here', 1, 0]) || `recvmsg ${JSON.stringify(run.log('child recvmsg'))}`,
    'the received fd is the regular file': (run) => run.log('child sees a regular file') === true,
    'the child read the file content through the received fd': (run) =>
      run.log('child read') === CONTENT.slice(0, CHILD_READS) || `child read ${JSON.stringify(run.log('child read'))}`,
    "the offset is shared: the parent sees the child's read": (run) =>
      run.log('parent offset after child read') === CHILD_READS || `offset ${String(run.log('parent offset after child read'))}`,
    'the parent continues where the child stopped': (run) => run.log('parent reads the rest') === CONTENT.slice(CHILD_READS),
    'the child exited 0': (run) => run.log('child status') === 0,
  },
});
