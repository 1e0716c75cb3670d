// AF_UNIX through Go's net package, run under qemu-riscv64 (the real kernel)
// and unixsim exec, which must print the same. Built with gccgo (static): its
// runtime puts goroutines on threads (clone, futex), waits in the netpoller
// (epoll_pwait, non-blocking sockets), and delivers signals to os/signal.
//
//	unix DIR [CASE...]   path sockets are made under DIR; no CASE runs every case
//
// Every line comes from the main goroutine after what it reports is settled,
// so the output does not depend on how goroutines or threads interleave;
// nothing printed depends on pids, paths, times or the number of CPUs.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

var dir string

func must(what string, err error) {
	if err != nil {
		fmt.Printf("%s: unexpected error: %v\n", what, err)
		os.Exit(1)
	}
}

// errno names the errno inside a net or os error ("none" when there is none).
func errno(err error) string {
	if err == nil {
		return "none"
	}
	var e syscall.Errno
	if errors.As(err, &e) {
		return strings.ToUpper(errnoNames[e])
	}
	if errors.Is(err, io.EOF) {
		return "EOF"
	}
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return "timeout"
	}
	return "other: " + err.Error()
}

var errnoNames = map[syscall.Errno]string{
	syscall.ENOENT: "enoent", syscall.ECONNREFUSED: "econnrefused", syscall.EPIPE: "epipe",
	syscall.EADDRINUSE: "eaddrinuse", syscall.ECONNRESET: "econnreset", syscall.EAGAIN: "eagain",
	syscall.EINVAL: "einval", syscall.EBADF: "ebadf", syscall.EMSGSIZE: "emsgsize", syscall.ENOTCONN: "enotconn",
}

// stream: net.Listen("unix") and net.Dial, an echo server goroutine, half
// close, the listener's unlink on Close, and a dial to the removed name.
func stream() {
	path := dir + "/go-stream.sock"
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	must("listen", err)
	_, err = net.Listen("unix", path)
	fmt.Println("stream: second listen on the name:", errno(err))
	served := make(chan string)
	go func() {
		c, err := ln.Accept()
		must("accept", err)
		r := bufio.NewReader(c)
		lines := 0
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				served <- fmt.Sprintf("%d lines then %s", lines, errno(err))
				break
			}
			lines++
			fmt.Fprintf(c, "echo %s", strings.ToUpper(line))
		}
		c.Close()
	}()
	c, err := net.Dial("unix", path)
	must("dial", err)
	fmt.Println("stream: remote address:", c.RemoteAddr().String() == path)
	r := bufio.NewReader(c)
	for i := 0; i < 3; i++ {
		fmt.Fprintf(c, "ping %d\n", i)
		line, err := r.ReadString('\n')
		must("read echo", err)
		fmt.Print("stream: ", line)
	}
	must("close write", c.(*net.UnixConn).CloseWrite())
	fmt.Println("stream: server saw", <-served)
	_, err = r.ReadString('\n')
	fmt.Println("stream: client read after the server closed:", errno(err))
	_, err = c.Write([]byte("late"))
	fmt.Println("stream: write after the peer closed:", errno(err))
	c.Close()
	ln.Close()
	_, err = os.Stat(path)
	fmt.Println("stream: the listener's Close removed its name:", os.IsNotExist(err))
	_, err = net.Dial("unix", path)
	fmt.Println("stream: dial the removed name:", errno(err))
}

// many: eight goroutines dial one listener at once; replies are collected
// and sorted, so any accept order prints the same.
func many() {
	path := dir + "/go-many.sock"
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	must("listen", err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				buf := make([]byte, 64)
				n, err := c.Read(buf)
				if err == nil {
					c.Write([]byte("served " + string(buf[:n])))
				}
			}(c)
		}
	}()
	var wg sync.WaitGroup
	replies := make([]string, 8)
	for i := range replies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			c, err := net.Dial("unix", path)
			if err != nil {
				replies[i] = "dial: " + errno(err)
				return
			}
			defer c.Close()
			c.Write([]byte(fmt.Sprintf("client %d", i)))
			b, err := io.ReadAll(c)
			replies[i] = string(b) + " then " + errno(err)
		}(i)
	}
	wg.Wait()
	sort.Strings(replies)
	for _, r := range replies {
		fmt.Println("many:", r)
	}
}

// dgram: unixgram sockets with abstract names (ListenUnixgram, DialUnix),
// the sender's address, record boundaries, truncation (MSG_TRUNC), an
// unbound sender, and sending to a name nobody holds.
func dgram() {
	tag := fmt.Sprintf("@unixsim-go-%d-", os.Getpid())
	srvAddr := &net.UnixAddr{Name: tag + "srv", Net: "unixgram"}
	srv, err := net.ListenUnixgram("unixgram", srvAddr)
	must("listen unixgram", err)
	defer srv.Close()
	cliAddr := &net.UnixAddr{Name: tag + "cli", Net: "unixgram"}
	cli, err := net.DialUnix("unixgram", cliAddr, srvAddr)
	must("dial unixgram", err)
	defer cli.Close()
	for _, m := range []string{"one", "two two", "three three three"} {
		_, err := cli.Write([]byte(m))
		must("write", err)
	}
	buf := make([]byte, 64)
	for i := 0; i < 3; i++ {
		n, from, err := srv.ReadFromUnix(buf)
		must("read from", err)
		fmt.Printf("dgram: %q from the client's name: %v\n", buf[:n], from.Name == cliAddr.Name)
	}
	_, err = srv.WriteToUnix([]byte("reply"), cliAddr)
	must("write to", err)
	n, err := cli.Read(buf)
	must("read reply", err)
	fmt.Printf("dgram: client got %q\n", buf[:n])
	cli.Write([]byte("a record longer than the buffer"))
	small := make([]byte, 8)
	n, _, flags, _, err := srv.ReadMsgUnix(small, nil)
	must("read truncated", err)
	fmt.Printf("dgram: truncated to %q, MSG_TRUNC %v\n", small[:n], flags&syscall.MSG_TRUNC != 0)
	anon, err := net.DialUnix("unixgram", nil, srvAddr)
	must("dial unbound", err)
	anon.Write([]byte("from nobody"))
	n, from, err := srv.ReadFromUnix(buf)
	must("read unbound", err)
	fmt.Printf("dgram: %q from an unbound socket: %q\n", buf[:n], addrName(from))
	anon.Close()
	_, err = srv.WriteToUnix([]byte("x"), &net.UnixAddr{Name: tag + "nobody", Net: "unixgram"})
	fmt.Println("dgram: send to a free name:", errno(err))
	// a read deadline: the netpoller's timer ends the wait
	srv.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	_, _, err = srv.ReadFromUnix(buf)
	fmt.Println("dgram: read past its deadline:", errno(err))
}

func addrName(a *net.UnixAddr) string {
	if a == nil {
		return "(nil)"
	}
	return a.Name
}

// packet: unixpacket (SOCK_SEQPACKET) keeps record boundaries on a connection.
func packet() {
	path := dir + "/go-packet.sock"
	os.Remove(path)
	ln, err := net.Listen("unixpacket", path)
	must("listen unixpacket", err)
	defer ln.Close()
	got := make(chan []string)
	go func() {
		c, err := ln.Accept()
		must("accept", err)
		defer c.Close()
		var recs []string
		buf := make([]byte, 64)
		for {
			n, err := c.Read(buf)
			if err != nil || n == 0 {
				recs = append(recs, "then "+errno(err))
				break
			}
			recs = append(recs, string(buf[:n]))
		}
		got <- recs
	}()
	c, err := net.Dial("unixpacket", path)
	must("dial unixpacket", err)
	for _, m := range []string{"alpha", "beta", "gamma"} {
		c.Write([]byte(m))
	}
	c.Close()
	for _, r := range <-got {
		fmt.Println("packet:", r)
	}
}

// rights: file descriptors over SCM_RIGHTS (syscall.UnixRights,
// WriteMsgUnix/ReadMsgUnix): a pipe's write end, a socket turned back into a
// net.Conn, credentials, and an fd in flight when its receiver closes.
func rights() {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	must("socketpair", err)
	a := fileConn(fds[0], "a")
	b := fileConn(fds[1], "b")
	defer a.Close()

	pr, pw, err := os.Pipe()
	must("pipe", err)
	_, _, err = a.WriteMsgUnix([]byte("pipe"), syscall.UnixRights(int(pw.Fd())), nil)
	must("send pipe", err)
	pw.Close()
	passed := recvFds(b, "pipe")
	f := os.NewFile(uintptr(passed[0]), "passed pipe")
	f.Write([]byte("written through the passed pipe end"))
	f.Close()
	all, err := io.ReadAll(pr)
	fmt.Printf("rights: read %q then %s\n", all, errno(err))
	pr.Close()

	// a connected socket pair end, passed and used as a net.Conn
	sp, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	must("socketpair 2", err)
	_, _, err = a.WriteMsgUnix([]byte("sock"), syscall.UnixRights(sp[0], sp[1]), nil)
	must("send socks", err)
	syscall.Close(sp[0])
	syscall.Close(sp[1])
	two := recvFds(b, "sock")
	x, y := fileConn(two[0], "x"), fileConn(two[1], "y")
	x.Write([]byte("across the passed pair"))
	buf := make([]byte, 64)
	n, _ := y.Read(buf)
	fmt.Printf("rights: %q\n", buf[:n])
	x.Close()
	y.Close()

	// credentials: SO_PASSCRED on the receiver, SCM_CREDENTIALS from the sender
	raw, _ := b.SyscallConn()
	raw.Control(func(fd uintptr) { must("passcred", syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 1)) })
	creds := &syscall.Ucred{Pid: int32(os.Getpid()), Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid())}
	a.WriteMsgUnix([]byte("cred"), syscall.UnixCredentials(creds), nil)
	oob := make([]byte, 128)
	n, oobn, _, _, err := b.ReadMsgUnix(buf, oob)
	must("recv cred", err)
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	must("parse cred", err)
	uc, err := syscall.ParseUnixCredentials(&msgs[0])
	must("parse ucred", err)
	fmt.Printf("rights: %q with credentials of this process: %v\n", buf[:n], uc.Pid == int32(os.Getpid()) && uc.Uid == uint32(os.Getuid()))
	raw.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_PASSCRED, 0) })

	// an fd still in flight when the receiving socket closes is released
	// with it (unix_release_sock purges the queue): the pipe then reads EOF
	pr2, pw2, _ := os.Pipe()
	a.WriteMsgUnix([]byte("unread"), syscall.UnixRights(int(pw2.Fd())), nil)
	pw2.Close()
	b.Close()
	all, err = io.ReadAll(pr2)
	fmt.Printf("rights: receiver closed unread, the pipe reads %q, %s\n", all, errno(err))
	pr2.Close()
}

func fileConn(fd int, name string) *net.UnixConn {
	f := os.NewFile(uintptr(fd), name)
	c, err := net.FileConn(f)
	must("file conn "+name, err)
	f.Close()
	return c.(*net.UnixConn)
}

func recvFds(c *net.UnixConn, want string) []int {
	buf := make([]byte, 16)
	oob := make([]byte, 64)
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	must("recvmsg "+want, err)
	msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
	must("parse "+want, err)
	fds, err := syscall.ParseUnixRights(&msgs[0])
	must("rights "+want, err)
	fmt.Printf("rights: %q with %d fds\n", buf[:n], len(fds))
	return fds
}

// threads: goroutines locked to their own OS threads hand a token round a
// ring of channels, and a mutex-guarded counter is raced by many goroutines.
func threads() {
	const ring = 4
	chans := make([]chan int, ring)
	for i := range chans {
		chans[i] = make(chan int)
	}
	var wg sync.WaitGroup
	for i := 0; i < ring; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for {
				v, ok := <-chans[i]
				if !ok {
					return
				}
				if v == 40 {
					for _, c := range chans {
						close(c)
					}
					return
				}
				chans[(i+1)%ring] <- v + 1
			}
		}(i)
	}
	chans[0] <- 0
	wg.Wait()
	var mu sync.Mutex
	total := 0
	var wg2 sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for j := 0; j < 100; j++ {
				mu.Lock()
				total++
				mu.Unlock()
				if j%25 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg2.Wait()
	fmt.Println("threads: token went round the ring, counter", total)
}

// signals: os/signal gets SIGUSR1 sent to this process; a write to a socket
// whose peer is gone is EPIPE (Go ignores SIGPIPE on such fds).
func signals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	must("kill", syscall.Kill(os.Getpid(), syscall.SIGUSR1))
	select {
	case s := <-ch:
		fmt.Println("signals: received", s)
	case <-time.After(5 * time.Second):
		fmt.Println("signals: no signal")
	}
	signal.Stop(ch)
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	must("socketpair", err)
	syscall.Close(fds[1])
	c := fileConn(fds[0], "lonely")
	_, err = c.Write([]byte("nobody"))
	fmt.Println("signals: write with the peer closed:", errno(err))
	c.Close()
}

// spawn: os/exec starts this program again with one end of a socket pair as
// its fd 3 (ExtraFiles); the child writes a line to it and exits 7. The Go
// runtime forks while its other threads run, and the child execs at once.
func spawn() {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	must("socketpair", err)
	mine := fileConn(fds[0], "parent end")
	theirs := os.NewFile(uintptr(fds[1]), "child end")
	self, err := os.Executable() // readlink("/proc/self/exe")
	must("executable", err)
	cmd := exec.Command(self, "-child")
	cmd.ExtraFiles = []*os.File{theirs}
	must("start", cmd.Start())
	theirs.Close()
	line, err := bufio.NewReader(mine).ReadString('\n')
	fmt.Printf("spawn: the child wrote %q (%s)\n", line, errno(err))
	err = cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		fmt.Println("spawn: the child exited with", ee.ExitCode())
	} else {
		fmt.Println("spawn: wait:", err)
	}
	mine.Close()
}

// child is the spawned program: fd 3 is its end of the pair.
func child() {
	f := os.NewFile(3, "inherited")
	var st syscall.Stat_t
	must("fstat", syscall.Fstat(3, &st))
	fmt.Fprintf(f, "a socket: %v, argv %q\n", st.Mode&syscall.S_IFMT == syscall.S_IFSOCK, os.Args[1:])
	os.Exit(7)
}

var cases = []struct {
	name string
	run  func()
}{
	{"stream", stream}, {"many", many}, {"dgram", dgram}, {"packet", packet},
	{"rights", rights}, {"threads", threads}, {"signals", signals}, {"spawn", spawn},
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-child" {
		child()
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: unix DIR [CASE...]")
		os.Exit(2)
	}
	dir = os.Args[1]
	want := map[string]bool{}
	for _, c := range os.Args[2:] {
		want[c] = true
	}
	for _, c := range cases {
		if len(want) == 0 || want[c.name] {
			c.run()
		}
	}
	fmt.Println("done")
}
