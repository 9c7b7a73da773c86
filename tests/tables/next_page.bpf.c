// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * next_page.bpf.c - an action in restricted C for the program format's
 * `object` actions: prefetch the n pages after the faulting one.  Built
 * with clang -O2 -target bpf; the context is declared here by hand (the
 * head of struct rmt_ctx_swap_fault) since BPF objects see no libc.
 */
struct swap_fault_head {
	unsigned long long addr;
	unsigned long long vma_start;
	unsigned long long vma_end;
};

/* Helper 3 of vm/helpers.h: prefetch(page_addr, n_pages). */
static long (*const rmt_prefetch)(unsigned long long page,
				  unsigned long long n) = (void *)3;

__attribute__((section("action/next_page"), used)) int
next_page(const struct swap_fault_head *c, const unsigned long long *params)
{
	rmt_prefetch(c->addr + 4096, params[0]);
	return 0;
}
