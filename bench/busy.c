/* A competing process for bench/run.sh's runs under load: it keeps one core
 * busy with arithmetic (no memory traffic, no system calls) until it is
 * killed, its parent exits, or its time limit passes (the first argument,
 * in seconds, default 3600), so a runner that dies leaves nothing behind. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    double limit = argc > 1 ? strtod(argv[1], NULL) : 3600;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        return 0;
    time_t end = time(NULL) + (time_t)limit;
    volatile uint64_t x = 1;
    for (;;) {
        for (int i = 0; i < 10000000; i++)
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        if (time(NULL) >= end)
            return 0;
    }
}
