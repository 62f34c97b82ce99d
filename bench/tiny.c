/* Many tiny objects in linked structures: an unbalanced binary search tree
 * of 32-byte nodes built from random keys, walked and freed bottom-up, and a
 * singly linked list of 16-byte cells built and freed in allocation order
 * (what interpreters and compilers do with ASTs and cons cells). */
#include "common.h"

struct tree {
    uint64_t key;
    struct tree *l, *r;
};

struct cell {
    uint64_t v;
    struct cell *next;
};

static uint64_t tree_free(struct tree *t)
{
    uint64_t sum = 0;
    while (t) {
        sum += tree_free(t->l) + t->key;
        struct tree *r = t->r;
        free(t);
        t = r;
    }
    return sum;
}

int main(int argc, char **argv)
{
    double scale = arg_scale(argc, argv);
    size_t nodes = scaled(scale, 200000, 100), rounds = 8;
    uint64_t s = 5, expect = 0, got = 0;
    double t0 = now_s();
    for (size_t r = 0; r < rounds; r++) {
        struct tree *root = NULL;
        for (size_t i = 0; i < nodes; i++) {
            struct tree *n = xmalloc(sizeof *n);
            *n = (struct tree){rnd(&s) >> 20, NULL, NULL};
            expect += n->key;
            struct tree **at = &root;
            while (*at)
                at = n->key < (*at)->key ? &(*at)->l : &(*at)->r;
            *at = n;
        }
        got += tree_free(root);

        struct cell *head = NULL, **end = &head;
        for (size_t i = 0; i < 2 * nodes; i++) {
            struct cell *c = xmalloc(sizeof *c);
            *c = (struct cell){i, NULL};
            *end = c;
            end = &c->next;
            expect += i;
        }
        while (head) {
            struct cell *n = head->next;
            got += head->v;
            free(head);
            head = n;
        }
    }
    if (got != expect)
        die("structure contents changed");
    report(now_s() - t0, nodes * (sizeof(struct tree) + 2 * sizeof(struct cell)));
    return 0;
}
