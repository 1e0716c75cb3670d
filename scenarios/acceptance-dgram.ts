// A datagram request/reply server, the way a syslog-like daemon or a
// resolver stub talks over AF_UNIX SOCK_DGRAM. The server binds a path and
// answers each request to the address recvfrom reported; three forked
// clients (one autobound by bind, one autobound by SO_PASSCRED at its first
// sendto, one connected to the server) send requests of different sizes
// and check that each reply is theirs, whole and in order (items 75, 82,
// 83, 84). After the clients exit, a reply to a gone client's name is
// ECONNREFUSED (item 90); an unbound sender cannot be answered (addrlen 0,
// item 82); a socketpair(SOCK_DGRAM) carries the final tally from the
// server to its parent with boundaries kept (items 100-103).
import { defineScenario } from '../src/script/scenario.ts';
import type { Sys, SysGen } from '../src/script/sys.ts';
import { AF_UNIX, SO_PASSCRED, SOCK_DGRAM, SOL_SOCKET } from '../src/unix/constants.ts';

const SERVER = '/tmp/resolver';
const REQUESTS = 4;
const CLIENTS = ['autobind', 'passcred', 'connected'] as const;
const ECONNREFUSED = 111;

const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function request(who: string, i: number): string {
  return `${who}#${i}?${'q'.repeat(i * 7)}`;
}

function* client(sys: Sys, who: (typeof CLIENTS)[number]): SysGen<number> {
  const s = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
  if (who === 'autobind') yield* sys.bind(s, { autobind: true });
  if (who === 'passcred') yield* sys.setsockopt(s, SOL_SOCKET, SO_PASSCRED, 1);
  if (who === 'connected') {
    yield* sys.bind(s, { abstract: 'connected-client' });
    sys.log('connect', yield* sys.connect(s, SERVER));
  }
  let ok = 0;
  for (let i = 0; i < REQUESTS; i++) {
    const q = request(who, i);
    const n = who === 'connected' ? yield* sys.send(s, q) : yield* sys.sendto(s, q, 0, SERVER);
    if (n !== q.length) sys.log(`${who} send`, n);
    const reply = yield* sys.recvfrom(s, 256);
    if (dec(reply.data) === `ok ${q.length} ${q}` && reply.addr?.path === SERVER) ok++;
    else sys.log(`${who} bad reply`, [reply.ret, dec(reply.data), reply.addr]);
  }
  sys.log('client ok', [who, ok]);
  yield* sys.close(s);
  return 0;
}

export default defineScenario({
  name: 'acceptance-dgram',
  description: 'a datagram server replies to each client at the address recvfrom reports; replies to gone clients are refused',
  processes: [
    {
      name: 'parent',
      *program(sys) {
        const [up, down] = (yield* sys.socketpair(AF_UNIX, SOCK_DGRAM)).fds;
        const srv = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
        sys.log('bind', yield* sys.bind(srv, SERVER));
        const server = yield* sys.fork(function* (sys) {
          yield* sys.close(up);
          const total = CLIENTS.length * REQUESTS;
          const senders: string[] = [];
          let answered = 0;
          for (let n = 0; n < total + 1; n++) {
            const m = yield* sys.recvfrom(srv, 256);
            const addr = m.addr;
            if (!addr || addr.len === 0) {
              // an unbound sender: nowhere to reply (item 82)
              senders.push('unnamed');
              continue;
            }
            const name = addr.path ?? `@${addr.abstract}`;
            if (!senders.includes(name)) senders.push(name);
            const q = dec(m.data);
            const to = addr.path !== undefined ? addr.path : { abstract: addr.abstract! };
            if ((yield* sys.sendto(srv, `ok ${m.ret} ${q}`, 0, to)) > 0) answered++;
          }
          // The clients are gone by now (the parent said so): their names are refused.
          yield* sys.recv(down, 16);
          let refused = 0;
          for (const name of senders) {
            if (name === 'unnamed') continue;
            const to = name.startsWith('@') ? { abstract: name.slice(1) } : name;
            if ((yield* sys.sendto(srv, 'late', 0, to)) === -ECONNREFUSED) refused++;
          }
          yield* sys.send(down, `answered ${answered}`);
          yield* sys.send(down, `names ${senders.length - 1}`);
          yield* sys.send(down, `refused ${refused}`);
          yield* sys.close(down);
          yield* sys.close(srv);
          return 0;
        });
        yield* sys.close(down);
        const kids: number[] = [];
        for (const who of CLIENTS) kids.push(yield* sys.fork((sys) => client(sys, who)));
        // one request from an unbound socket: delivered, but the server cannot answer it
        const anon = yield* sys.socket(AF_UNIX, SOCK_DGRAM);
        sys.log('anonymous send', yield* sys.sendto(anon, 'who am i', 0, SERVER));
        yield* sys.close(anon);
        yield* sys.close(srv);
        for (const k of kids) sys.log('client status', (yield* sys.wait(k)).status);
        yield* sys.send(up, 'clients done');
        for (let i = 0; i < 3; i++) sys.log('tally', dec((yield* sys.recv(up, 64)).data));
        sys.log('server status', (yield* sys.wait(server)).status);
        sys.log('after server', yield* sys.send(up, 'x'));
        sys.log('then', yield* sys.send(up, 'x'));
        yield* sys.close(up);
        return 0;
      },
    },
  ],
  checks: {
    'the server bound its path': (run) => run.log('bind') === 0,
    'the connected client connected': (run) => run.log('connect') === 0,
    'every client got each of its replies, whole and in order': (run) =>
      JSON.stringify(run.logs('client ok')
        .map((x) => x as [string, number])
        .sort()) === JSON.stringify(CLIENTS.map((c) => [c, REQUESTS]).sort()) || `client ok ${JSON.stringify(run.logs('client ok'))}`,
    'the unbound request was delivered': (run) => run.log('anonymous send') === 8,
    'the tally arrived as three datagrams': (run) =>
      JSON.stringify(run.logs('tally')) === JSON.stringify([`answered ${CLIENTS.length * REQUESTS}`, `names ${CLIENTS.length}`, `refused ${CLIENTS.length}`]) ||
      `tally ${JSON.stringify(run.logs('tally'))}`,
    'sending to the closed socketpair end: ECONNREFUSED, then ENOTCONN': (run) =>
      (run.log('after server') === -ECONNREFUSED && run.log('then') === -107) || `${String(run.log('after server'))} then ${String(run.log('then'))}`,
    'all children exited 0': (run) =>
      JSON.stringify(run.logs('client status')) === JSON.stringify([0, 0, 0]) && run.log('server status') === 0,
  },
});
