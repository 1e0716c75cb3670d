// Guest signal handlers on riscv64, as arch/riscv/kernel/signal.c does it:
// the kernel pushes a struct rt_sigframe (siginfo, then a ucontext holding
// the signal mask and the sigcontext: pc, x1..x31, f0..f31, fcsr) on the
// user stack, or on the alternate stack with SA_ONSTACK, 16-byte aligned;
// the handler runs with a0 = signo, a1 = &siginfo, a2 = &ucontext and
// ra = the sigreturn trampoline (riscv64 has no SA_RESTORER; Linux uses
// the vDSO, we map one page per process). rt_sigreturn reads the frame at
// sp back into the registers and the signal mask.
import { SIGKILL, SIGSTOP, SIG_DFL } from './abi.ts';
import type { HartContext } from './hartcontext.ts';
import { SS_DISABLE, SS_ONSTACK, TRAMPOLINE_ADDR } from './hartcontext.ts';
import { bit, SA_NODEFER, SA_ONSTACK, SA_RESETHAND, siginfoBytes, type SigAction, type SigInfo } from './signal.ts';
import { vpid } from './namespaces.ts';
import { sigactKey, sigmaskKey } from './footprint.ts';

/** struct siginfo: 128 bytes; si_signo, si_errno, si_code, then the union at 16. */
const SIGINFO_SIZE = 128;
/** Offsets inside struct ucontext (riscv64 uapi; uc_mcontext is 16-byte aligned because of the Q-extension state). */
const UC_STACK = 16, UC_SIGMASK = 40, UC_MCONTEXT = 176;
/** Inside struct sigcontext: 32 words of user_regs_struct (pc, x1..x31), then the FP state f[32] and fcsr. */
const SC_FPREGS = 256, SC_FCSR = SC_FPREGS + 256;
/** sizeof(struct sigcontext): regs (256) + union __riscv_fp_state (528, the Q layout). */
const SIGCONTEXT_SIZE = 256 + 528;
export const UCONTEXT_SIZE = UC_MCONTEXT + SIGCONTEXT_SIZE;
/** sizeof(struct rt_sigframe) without vector state. */
export const RT_SIGFRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE;

const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP);

/** Is sp on the alternate signal stack (Linux on_sig_stack: the stack grows down, so the top is inside)? */
function onAltStack(ctx: HartContext, sp: number): boolean {
  const a = ctx.altStack;
  return a.flags !== SS_DISABLE && sp > a.sp && sp - a.sp <= a.size;
}

/** ss_flags as sigaltstack reports them for the current sp. */
export function altStackFlags(ctx: HartContext): number {
  const a = ctx.altStack;
  if (a.flags === SS_DISABLE) return SS_DISABLE;
  return onAltStack(ctx, ctx.hart.getX(2)) ? SS_ONSTACK : 0;
}

/**
 * Builds the frame for `signo` and points the hart at its handler. Updates
 * the blocked set (the action's mask, plus the signal unless SA_NODEFER)
 * and resets the disposition for SA_RESETHAND. False if the frame cannot
 * be written (the task is then killed).
 */
export function enterGuestHandler(ctx: HartContext, signo: number, act: SigAction, info: SigInfo): boolean {
  const t = ctx.task, h = ctx.hart;
  const oldSp = h.getX(2);
  let sp = oldSp;
  if (act.flags & SA_ONSTACK && ctx.altStack.flags !== SS_DISABLE && !onAltStack(ctx, sp)) {
    sp = ctx.altStack.sp + ctx.altStack.size;
  }
  sp -= RT_SIGFRAME_SIZE;
  sp -= ((sp % 16) + 16) % 16;
  if (sp <= 0) return false;

  const frame = new Uint8Array(RT_SIGFRAME_SIZE);
  const dv = new DataView(frame.buffer);
  const u64 = (off: number, v: number): void => {
    dv.setUint32(off, v >>> 0, true);
    dv.setUint32(off + 4, Math.floor(v / 4294967296) >>> 0, true);
  };
  // siginfo
  const f = ctx.lastFault;
  if (f && f.signo === signo) {
    dv.setInt32(0, signo, true);
    dv.setInt32(8, f.code, true); // SEGV_MAPERR or SEGV_ACCERR / ILL_ILLOPC / BUS_ADRALN / TRAP_BRKPT
    u64(16, f.addr);
    ctx.lastFault = null;
  } else {
    frame.set(siginfoBytes(signo, info, vpid(t, info.pid)), 0);
  }
  // ucontext: uc_flags, uc_link = 0; uc_stack; uc_sigmask
  const uc = SIGINFO_SIZE;
  const alt = ctx.altStack;
  u64(uc + UC_STACK, alt.sp);
  dv.setInt32(uc + UC_STACK + 8, alt.flags === SS_DISABLE ? SS_DISABLE : onAltStack(ctx, oldSp) ? SS_ONSTACK : 0, true);
  u64(uc + UC_STACK + 16, alt.size);
  dv.setBigUint64(uc + UC_SIGMASK, t.sig.savedMask ?? t.sig.blocked, true); // sigmask_to_save()
  // sigcontext: pc, x1..x31, f0..f31, fcsr (the extension header after them stays zero: END_MAGIC, END_HDR_SIZE)
  const mc = uc + UC_MCONTEXT;
  u64(mc, h.pc);
  for (let r = 1; r < 32; r++) {
    dv.setInt32(mc + 8 * r, h.getXLo(r), true);
    dv.setInt32(mc + 8 * r + 4, h.getXHi(r), true);
  }
  for (let r = 0; r < 32; r++) {
    dv.setInt32(mc + SC_FPREGS + 8 * r, h.getFLo(r), true);
    dv.setInt32(mc + SC_FPREGS + 8 * r + 4, h.getFHi(r), true);
  }
  dv.setUint32(mc + SC_FCSR, h.fcsr >>> 0, true);

  if (!t.mm.write(sp, frame)) {
    if (!ctx.vm.growStack(t.mm, sp) || !t.mm.write(sp, frame)) return false;
  }
  const handler = act.handler as number;
  h.pc = handler;
  h.setX(1, TRAMPOLINE_ADDR);
  h.setX(2, sp);
  h.setX(10, signo);
  h.setX(11, sp);
  h.setX(12, sp + uc);

  let mask = act.mask;
  if (!(act.flags & SA_NODEFER)) mask |= bit(signo);
  t.kernel.sched.recorder?.write(sigmaskKey(t));
  t.sig.blocked = (t.sig.blocked | mask) & ~UNBLOCKABLE;
  if (act.flags & SA_RESETHAND) {
    t.kernel.sched.recorder?.write(sigactKey(t));
    t.sig.actions[signo] = { ...act, handler: SIG_DFL };
  }
  return true;
}

/**
 * rt_sigreturn: restores registers and the signal mask from the frame at sp.
 * Returns false if the frame is unreadable (the caller raises SIGSEGV).
 */
export function restoreFromFrame(ctx: HartContext): boolean {
  const t = ctx.task, h = ctx.hart;
  const sp = h.getX(2);
  const frame = t.mm.read(sp, RT_SIGFRAME_SIZE);
  if (!frame) return false;
  const dv = new DataView(frame.buffer);
  const uc = SIGINFO_SIZE, mc = uc + UC_MCONTEXT;
  t.kernel.sched.recorder?.write(sigmaskKey(t));
  t.sig.blocked = dv.getBigUint64(uc + UC_SIGMASK, true) & ~UNBLOCKABLE;
  h.pc = dv.getUint32(mc + 4, true) * 4294967296 + dv.getUint32(mc, true);
  for (let r = 1; r < 32; r++) h.setXHalves(r, dv.getInt32(mc + 8 * r, true), dv.getInt32(mc + 8 * r + 4, true));
  for (let r = 0; r < 32; r++) h.setFHalves(r, dv.getInt32(mc + SC_FPREGS + 8 * r, true), dv.getInt32(mc + SC_FPREGS + 8 * r + 4, true));
  h.fcsr = dv.getUint32(mc + SC_FCSR, true) & 0xff;
  ctx.registersFinal = true;
  return true;
}
