// What Linux charges a sender's SO_SNDBUF for one queued message: the
// skb's truesize, not its payload. sock_alloc_send_pskb (net/core/sock.c)
// allocates the skb with alloc_skb_with_frags(header_len, data_len)
// (net/core/skbuff.c) and skb_set_owner_w adds skb->truesize to
// sk_wmem_alloc; unix_ioctl(SIOCOUTQ) reports that sum.
//
// truesize = SKB_TRUESIZE of the linear head + the page frags:
//   - __alloc_skb(header_len): kmalloc_reserve asks for
//     SKB_HEAD_ALIGN(header_len) = SKB_DATA_ALIGN(header_len) +
//     SKB_DATA_ALIGN(sizeof(struct skb_shared_info)), rounded up by
//     kmalloc_size_roundup; the sk_buff itself adds
//     SKB_DATA_ALIGN(sizeof(struct sk_buff)) (SKB_TRUESIZE);
//   - alloc_skb_with_frags: every page block it adds counts whole
//     (PAGE_SIZE << order), which sums to PAGE_ALIGN(data_len).
// How a send splits its payload into header_len and data_len is the
// caller's (unix_stream_sendmsg, unix_dgram_sendmsg): streamSkbSize and
// dgramTruesize below.
//
// Constants are those of a 64-bit kernel with 4 KiB pages, 64-byte cache
// lines and MAX_SKB_FRAGS 17 (sizeof(struct skb_shared_info) 320, of
// struct sk_buff 232 -> 256). Calibrated against Linux 6.18 (x86_64) with
// SIOCOUTQ after one send of each size: e.g. 1..192 bytes -> 768, 1000 ->
// 2304, stream 19936 -> 20736, dgram 212960 -> 332032.

const PAGE_SIZE = 4096;
const SMP_CACHE_BYTES = 64;
/** SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
const SHINFO = 320;
/** SKB_DATA_ALIGN(sizeof(struct sk_buff)) */
const SKBUFF = 256;
const MAX_SKB_FRAGS = 17;
/** KMALLOC_MAX_CACHE_SIZE (SLUB: two pages); larger kmallocs take whole page orders */
const KMALLOC_MAX_CACHE_SIZE = 2 * PAGE_SIZE;

/** SKB_MAX_HEAD(0): the largest linear head that fits one page with its shared info (3776). */
export const SKB_MAX_HEAD0 = PAGE_SIZE - SHINFO;
/** SKB_MAX_ALLOC = SKB_MAX_ORDER(0, 2): the largest datagram kept wholly linear (16064). */
export const SKB_MAX_ALLOC = (PAGE_SIZE << 2) - SHINFO;
/** af_unix.c UNIX_SKB_FRAGS_SZ: at most 32 KiB of page frags per stream skb. */
export const UNIX_SKB_FRAGS_SZ = 32768;

const align = (x: number, a: number): number => Math.ceil(x / a) * a;

/** kmalloc_size_roundup: the kmalloc size class (powers of two from 512 up, as reached here), or a page order beyond. */
function kmallocSizeRoundup(n: number): number {
  if (n > KMALLOC_MAX_CACHE_SIZE) {
    let size = PAGE_SIZE; // PAGE_SIZE << get_order(n)
    while (size < n) size *= 2;
    return size;
  }
  // n >= SHINFO here, so the 96/192 classes are never the answer
  let size = 8;
  while (size < n) size *= 2;
  return size;
}

/** skb->truesize of alloc_skb_with_frags(headerLen, dataLen): SKB_TRUESIZE(kmalloc'd head) + whole pages of frags. */
export function skbTruesize(headerLen: number, dataLen: number): number {
  const head = kmallocSizeRoundup(align(headerLen, SMP_CACHE_BYTES) + SHINFO);
  return head + SKBUFF + align(dataLen, PAGE_SIZE);
}

/**
 * unix_stream_sendmsg's split of a write: the payload of the next skb (at
 * most half the send buffer less 64, "keep two messages in the pipe", and
 * at most SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ), and what that skb charges:
 * the part beyond SKB_MAX_HEAD(0), page-aligned, goes to frags (the whole
 * payload when page-aligning would exceed it), the rest is linear.
 */
export function streamSkbSize(remaining: number, sndbuf: number): { size: number; truesize: number } {
  const size = streamSkbLen(remaining, sndbuf);
  return { size, truesize: streamTruesize(size) };
}

/** streamSkbSize's payload alone (the send path's, which allocates no pair). */
export function streamSkbLen(remaining: number, sndbuf: number): number {
  return Math.min(remaining, (sndbuf >> 1) - 64, SKB_MAX_HEAD0 + UNIX_SKB_FRAGS_SZ);
}

/** The truesize of a stream skb carrying `size` bytes (size as chosen by streamSkbSize). */
export function streamTruesize(size: number): number {
  const dataLen = Math.min(size, align(Math.max(0, size - SKB_MAX_HEAD0), PAGE_SIZE));
  return skbTruesize(size - dataLen, dataLen);
}

/**
 * unix_dgram_sendmsg (also seqpacket): a datagram up to SKB_MAX_ALLOC is
 * linear; beyond, up to MAX_SKB_FRAGS pages of it (page-aligned) go to
 * frags and the rest stays linear.
 */
export function dgramTruesize(len: number): number {
  let dataLen = 0;
  if (len > SKB_MAX_ALLOC) dataLen = align(Math.min(len - SKB_MAX_ALLOC, MAX_SKB_FRAGS * PAGE_SIZE), PAGE_SIZE);
  return skbTruesize(len - dataLen, dataLen);
}
