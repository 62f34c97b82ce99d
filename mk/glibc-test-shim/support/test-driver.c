/* glibc's test driver, reduced: main runs the test's do_test (or the old
 * skeleton's TEST_FUNCTION) and fails if a check failed. */
#include "../shim.h"
int support_failures(void);
int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
#ifdef TEST_FUNCTION
    int r = TEST_FUNCTION;
#else
    int r = do_test();
#endif
    return support_failures() != 0 ? 1 : r;
}
