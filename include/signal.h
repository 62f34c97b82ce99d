/*
 * minic <signal.h>: the notification pieces message queues use.
 * https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/signal.h.html
 *
 * Beside a system C library this is the system's <signal.h>. Standing alone
 * it gives only what minic's interfaces need (union sigval, struct sigevent,
 * the SIGEV_* values, the signal numbers; Linux values, the same on every
 * architecture minic builds for): minic has no
 * signal functions of its own.
 */
#ifndef MINIC_SIGNAL_H
#define MINIC_SIGNAL_H

#if !defined(MINIC_STANDALONE) && defined(__has_include_next)
#if __has_include_next(<signal.h>)
#define MINIC_SIGNAL_FROM_HOST 1
#endif
#endif

#ifdef MINIC_SIGNAL_FROM_HOST
#include_next <signal.h>
#else

#include <minic/types.h>
#include <minic/sigevent.h>

#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19

#define SI_USER 0
#define SI_QUEUE (-1)
#define SI_TIMER (-2)
#define SI_MESGQ (-3)

#endif /* MINIC_SIGNAL_FROM_HOST */
#endif /* MINIC_SIGNAL_H */
