// A filesystem listener at "/tmp/same" and an abstract listener named
// "/tmp/same" (same text, other namespace) must not collide: both binds
// succeed, and a client of each reaches its own server (unix(7);
// AF_UNIX-SEMANTICS items 8, 9). Two processes, each the server of one
// name and the client of the other, so every order of the two binds and
// the two connects happens; a client retries until its server is up.
import { defineScenario, type ProcessSpec } from '../src/script/scenario.ts';
import { text, type SockAddr } from '../src/script/sys.ts';
import { AF_UNIX, SOCK_STREAM } from '../src/unix/constants.ts';
import { connectRetry, writeAll } from '../properties/lib/sock.ts';

const NAME = '/tmp/same';
const PATH: SockAddr = NAME;
const ABSTRACT: SockAddr = { abstract: NAME };

/** Serves `kind` at `addr` and is the client of `other` at `otherAddr`. */
function serverAndClient(kind: string, addr: SockAddr, other: string, otherAddr: SockAddr): ProcessSpec {
  return {
    name: `${kind}-server`,
    *program(sys) {
      const ls = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('bind', [kind, yield* sys.bind(ls, addr)]);
      yield* sys.listen(ls, 4);
      // the client of the other name: connected (or retrying) before this server accepts
      const s = yield* sys.socket(AF_UNIX, SOCK_STREAM);
      sys.log('connect', [other, yield* connectRetry(sys, s, otherAddr)]);
      yield* writeAll(sys, s, `hi ${other}`);
      const a = yield* sys.accept(ls);
      if (a.ret < 0) return 1;
      const hello = yield* sys.readAll(a.ret, `hi ${kind}`.length);
      sys.log('server heard', [kind, text(hello.data)]);
      yield* writeAll(sys, a.ret, `I am the ${kind} server`);
      yield* sys.close(a.ret);
      yield* sys.close(ls);
      const r = yield* sys.readAll(s, `I am the ${other} server`.length);
      sys.log('client heard', [other, text(r.data)]);
      yield* sys.close(s);
      return 0;
    },
  };
}

const byKind = (entries: unknown[]) => Object.fromEntries(entries as [string, unknown][]);

export default defineScenario({
  name: 'race-abstract-vs-path',
  description: 'a path listener and an abstract listener with the same name text do not collide',
  processes: [serverAndClient('path', PATH, 'abstract', ABSTRACT), serverAndClient('abstract', ABSTRACT, 'path', PATH)],
  checks: {
    'both binds succeed': (run) => {
      const b = byKind(run.logs('bind'));
      return (b.path === 0 && b.abstract === 0) || `bind ${JSON.stringify(b)}`;
    },
    'both clients connect': (run) => {
      const c = byKind(run.logs('connect'));
      return (c.path === 0 && c.abstract === 0) || `connect ${JSON.stringify(c)}`;
    },
    'each server hears its own client': (run) => {
      const h = byKind(run.logs('server heard'));
      return (h.path === 'hi path' && h.abstract === 'hi abstract') || `heard ${JSON.stringify(h)}`;
    },
    'each client reaches the right server': (run) => {
      const h = byKind(run.logs('client heard'));
      return (h.path === 'I am the path server' && h.abstract === 'I am the abstract server') || `heard ${JSON.stringify(h)}`;
    },
  },
});
