/*
 * arp-flood IFNAME COUNT: sends COUNT broadcast ARP requests (60-byte frames) on IFNAME as fast as the
 * packet socket takes them, in sendmmsg batches, then prints {"sent":N,"seconds":S} on stdout.
 * The load generator of the dgram-plus receive benchmark; run it only inside a test namespace.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define FRAME_LEN 60

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: arp-flood IFNAME COUNT\n");
    return 2;
  }
  unsigned ifindex = if_nametoindex(argv[1]);
  long long count = atoll(argv[2]);
  if (ifindex == 0 || count <= 0) {
    fprintf(stderr, "arp-flood: bad interface or count\n");
    return 2;
  }
  int fd = socket(AF_PACKET, SOCK_RAW, 0);
  if (fd < 0) {
    perror("socket");
    return 1;
  }
  /* Broadcast ARP request from 02:00:5e:00:00:0a / 192.0.2.1 for 192.0.2.2 (RFC 826 layout). */
  static const unsigned char frame[FRAME_LEN] = {
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x0a, 0x08, 0x06,
      0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0x00, 0x5e, 0x00, 0x00, 0x0a,
      192,  0,    2,    1,    0,    0,    0,    0,    0,    0,    192,  0,    2,    2};
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof(sll));
  sll.sll_family = AF_PACKET;
  sll.sll_ifindex = (int)ifindex;
  sll.sll_protocol = htons(ETH_P_ARP);
  sll.sll_halen = 6;
  memset(sll.sll_addr, 0xff, 6);
  struct mmsghdr msgs[BATCH];
  struct iovec iov;
  iov.iov_base = (void*)frame;
  iov.iov_len = FRAME_LEN;
  memset(msgs, 0, sizeof(msgs));
  for (int i = 0; i < BATCH; i++) {
    msgs[i].msg_hdr.msg_name = &sll;
    msgs[i].msg_hdr.msg_namelen = sizeof(sll);
    msgs[i].msg_hdr.msg_iov = &iov;
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long long sent = 0;
  while (sent < count) {
    long long left = count - sent;
    int n = sendmmsg(fd, msgs, left < BATCH ? (unsigned)left : BATCH, 0);
    if (n < 0) {
      if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
        sched_yield();
        continue;
      }
      perror("sendmmsg");
      return 1;
    }
    sent += n;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("{\"sent\":%lld,\"seconds\":%.6f}\n", sent, seconds);
  close(fd);
  return 0;
}
