// One thread of the server sleeps in recvmsg(MSG_PEEK) on its end of a
// socketpair while another thread of the same process closes that fd; a
// peer process sends "hello" at any moment, then reads. On Linux a call
// blocked on an fd holds the file (fdget ... fdput), so closing the fd
// does not end the peek: the socket lives until the peek returns, the peek
// sees "hello", and the socket is released only then, with "hello" still
// unread, so the peer's read fails with ECONNRESET (unix_release_sock).
// If the close wins before the peek starts, the peek fails with EBADF.
// Checked against the same program built natively (pthreads, Linux 6.18).
import { defineScenario } from '../src/script/scenario.ts';
import { text } from '../src/script/sys.ts';
import { EBADF, ECONNRESET, EPIPE } from '../src/kernel/errno.ts';
import { AF_UNIX, MSG_NOSIGNAL, MSG_PEEK, SOCK_STREAM } from '../src/unix/constants.ts';

export default defineScenario({
  name: 'thread-peek-while-close',
  description: 'a thread blocked in recvmsg(MSG_PEEK) keeps the socket alive while another thread closes the fd',
  processes: [
    {
      name: 'server',
      *program(sys) {
        const { fds: [mine, theirs] } = yield* sys.socketpair(AF_UNIX, SOCK_STREAM);
        const peer = yield* sys.fork(function* (sys) {
          yield* sys.close(mine);
          const sent = yield* sys.send(theirs, 'hello', MSG_NOSIGNAL);
          sys.log('peer send', sent);
          sys.log('peer read', (yield* sys.read(theirs, 16)).ret);
          yield* sys.close(theirs);
        }, { name: 'peer' });
        yield* sys.close(theirs);
        const peeker = yield* sys.thread(function* (sys) {
          const r = yield* sys.recvmsg(mine, { n: 16, flags: MSG_PEEK });
          sys.log('peek', r.ret > 0 ? text(r.data) : r.ret);
        }, { name: 'peeker' });
        const closer = yield* sys.thread(function* (sys) {
          sys.log('close', yield* sys.close(mine));
        }, { name: 'closer' });
        sys.log('join peeker', (yield* sys.join(peeker)).ret);
        sys.log('join closer', (yield* sys.join(closer)).ret);
        yield* sys.wait(peer);
      },
    },
  ],
  checks: {
    'the close succeeds': (run) => run.log('close') === 0 || `close ${String(run.log('close'))}`,
    'both threads were joined': (run) => (run.log('join peeker') === 0 && run.log('join closer') === 0) || 'a join failed',
    'the peek sees "hello", or EBADF when the close came first': (run) =>
      run.log('peek') === 'hello' || run.log('peek') === -EBADF || `peek returned ${JSON.stringify(run.log('peek'))}`,
    'while the peek held the socket, the peer could send to it': (run) =>
      run.log('peek') !== 'hello' || run.log('peer send') === 5 || `peek saw hello but the peer's send returned ${String(run.log('peer send'))}`,
    "the peer's read: ECONNRESET if its data was left unread at release, else EOF": (run) => {
      const sent = run.log('peer send');
      const want = sent === 5 ? -ECONNRESET : 0;
      if (sent !== 5 && sent !== -EPIPE) return `peer send returned ${String(sent)}`;
      return run.log('peer read') === want || `peer send ${String(sent)}, read ${String(run.log('peer read'))} (want ${want})`;
    },
    'nothing is left: no open file, socket or fd in flight': (run) => run.describeState().length === 0 || run.describeState().join('; '),
  },
});
