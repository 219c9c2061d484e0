/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading a tenant's eBPF program: the ELF object is parsed here (every offset and
 * size checked against the file), the code is checked by our own pass, then by
 * DPDK's validator, and JIT-compiled (librte_bpf). Our pass exists because DPDK's
 * validator was written for trusted programs: it bounds memory accesses, but it does
 * not stop a program from reading stack or registers it never wrote (the data path's
 * own, on the JIT's native stack) or from writing a pointer into the packet. So:
 *  - registers and stack bytes are read only after the program wrote them;
 *  - a pointer (to the context or the stack) is never stored, compared, returned or
 *    turned into a number: nothing of the switch's address space leaves;
 *  - context accesses at constant offsets are bounded here (DPDK bounds the others),
 *    stack accesses must be at constant offsets;
 *  - no helper calls (the allow-list below is empty), maps, packet loads, atomics,
 *    32-bit jumps or backward jumps: with forward jumps only, the code is a DAG, a
 *    packet runs each instruction at most once, and this pass visits each once.
 * Every refusal names the instruction and the reason; nothing is kept of a refused
 * program.
 */
#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_bpf.h>
#include <rte_errno.h>

#include "../datapath/tr_bpf.h"
#include "control.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

uint32_t bpf_max_insns = 4096;
uint32_t bpf_max_cost = 4096;
#define BPF_FILE_MAX (1u << 20) /* bytes of an object file */
#define BPF_STACK    512
#define BPF_CTX_SIZE ((int64_t)sizeof(struct myr_bpf_ctx))
#define BPF_STATE_AT ((int64_t)offsetof(struct myr_bpf_ctx, state))
#define BPF_JMP32    0x06 /* instruction class, not in DPDK's bpf_def.h */

/* --- the ELF object --- */

struct elf_view {
	const uint8_t *buf;
	size_t len;
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh; /* [e_shnum] */
	const char *shstr;
	size_t shstr_len;
};

static bool
in_file(const struct elf_view *e, uint64_t off, uint64_t size)
{
	return off <= e->len && size <= e->len - off;
}

static const char *
sec_name(const struct elf_view *e, unsigned int i)
{
	uint32_t n = e->sh[i].sh_name;

	if (n >= e->shstr_len || memchr(e->shstr + n, '\0', e->shstr_len - n) == NULL)
		return NULL;
	return e->shstr + n;
}

static int
elf_open(struct elf_view *e, const void *buf, size_t len)
{
	const Elf64_Ehdr *eh = buf;
	const Elf64_Shdr *ss;
	unsigned int i;

	e->buf = buf;
	e->len = len;
	if (len < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return ctl_err(-EINVAL, "not an ELF object");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_BPF)
		return ctl_err(-EINVAL, "not a 64-bit little-endian eBPF object (build with "
					"clang -target bpf)");
	if (eh->e_type != ET_REL)
		return ctl_err(-EINVAL, "not a relocatable object (build with clang -c)");
	if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum == 0 ||
	    !in_file(e, eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr)) ||
	    eh->e_shoff % _Alignof(Elf64_Shdr) != 0 || eh->e_shstrndx >= eh->e_shnum)
		return ctl_err(-EINVAL, "malformed ELF object: bad section header table");
	e->eh = eh;
	e->sh = (const Elf64_Shdr *)(e->buf + eh->e_shoff);
	ss = &e->sh[eh->e_shstrndx];
	if (ss->sh_type != SHT_STRTAB || !in_file(e, ss->sh_offset, ss->sh_size))
		return ctl_err(-EINVAL, "malformed ELF object: bad section name table");
	e->shstr = (const char *)e->buf + ss->sh_offset;
	e->shstr_len = ss->sh_size;
	for (i = 0; i < eh->e_shnum; i++)
		if (e->sh[i].sh_type != SHT_NOBITS && e->sh[i].sh_type != SHT_NULL &&
		    !in_file(e, e->sh[i].sh_offset, e->sh[i].sh_size))
			return ctl_err(-EINVAL,
				       "malformed ELF object: section %u lies outside the "
				       "file",
				       i);
	return 0;
}

static bool
is_code(const struct elf_view *e, unsigned int i)
{
	return e->sh[i].sh_type == SHT_PROGBITS && (e->sh[i].sh_flags & SHF_EXECINSTR) &&
	       e->sh[i].sh_size > 0;
}

/* The program's section: the one named, or the only code section there is. */
static int
elf_find(const struct elf_view *e, const char *want)
{
	char names[256] = "";
	int found = -1, n = 0;
	unsigned int i;

	for (i = 1; i < e->eh->e_shnum; i++) {
		const char *s = sec_name(e, i);

		if (s == NULL || !is_code(e, i))
			continue;
		if (want != NULL && strcmp(s, want) == 0)
			return (int)i;
		if (n++ < 8)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 n > 1 ? ", " : "", s);
		found = (int)i;
	}
	if (n == 0)
		return ctl_err(-ENOENT, "the object holds no code");
	if (want != NULL)
		return ctl_err(-ENOENT, "no code section %s in the object (it has: %s)", want,
			       names);
	if (n > 1)
		return ctl_err(-EINVAL,
			       "the object has %d code sections (%s): name one with "
			       "--section",
			       n, names);
	return found;
}

/* A relocation against the program means it calls or reads something outside it. */
static int
elf_no_relocs(const struct elf_view *e, unsigned int code)
{
	unsigned int i;

	for (i = 1; i < e->eh->e_shnum; i++) {
		const Elf64_Shdr *r = &e->sh[i], *symtab, *strtab;
		const char *what = "a symbol";
		uint64_t sym;

		if ((r->sh_type != SHT_REL && r->sh_type != SHT_RELA) || r->sh_info != code ||
		    r->sh_size == 0)
			continue;
		/* name the first symbol for the message, if every index checks out */
		if (r->sh_link < e->eh->e_shnum && r->sh_size >= sizeof(Elf64_Rel)) {
			Elf64_Xword info;

			/* the file's alignment is the file's: read the field bytewise */
			memcpy(&info, e->buf + r->sh_offset + offsetof(Elf64_Rel, r_info),
			       sizeof(info));
			symtab = &e->sh[r->sh_link];
			sym = ELF64_R_SYM(info);
			if (symtab->sh_type == SHT_SYMTAB && symtab->sh_link < e->eh->e_shnum &&
			    r->sh_offset % 8 == 0 && symtab->sh_offset % 8 == 0 &&
			    sym < symtab->sh_size / sizeof(Elf64_Sym)) {
				const Elf64_Sym *s =
					(const Elf64_Sym *)(e->buf + symtab->sh_offset) + sym;

				strtab = &e->sh[symtab->sh_link];
				if (strtab->sh_type == SHT_STRTAB && s->st_name < strtab->sh_size &&
				    memchr(e->buf + strtab->sh_offset + s->st_name, '\0',
					   strtab->sh_size - s->st_name) != NULL &&
				    e->buf[strtab->sh_offset + s->st_name] != '\0')
					what = (const char *)e->buf + strtab->sh_offset +
					       s->st_name;
			}
		}
		return ctl_err(-EPERM,
			       "the program refers to %s outside it: helper calls, maps and global "
			       "data are not available to in-switch NFs",
			       what);
	}
	return 0;
}

/* --- our pass --- */

enum vtype { V_UNINIT, V_SCALAR, V_CTX, V_FP, V_POISON };

/* What the program does with the frame's window. */
struct bpf_use {
	bool writes;     /* it may store into the window: written back */
	uint32_t window; /* bytes of the window it may touch: copied in */
	bool state_in;   /* it may touch the state: copied in... */
	bool state_out;  /* ... and back, if it may store there */
};

struct vreg {
	uint8_t type;
	bool var;    /* V_CTX: offset not known here (DPDK's validator bounds it) */
	int64_t off; /* V_CTX, V_FP: offset from the context's start / the frame pointer */
};

struct vstate {
	bool live; /* some path reaches this instruction */
	struct vreg r[EBPF_REG_NUM];
	uint64_t stack[BPF_STACK / 64]; /* bit b: byte fp-BPF_STACK+b written */
};

static void
merge(struct vstate *to, const struct vstate *from)
{
	unsigned int i;

	if (!to->live) {
		*to = *from;
		return;
	}
	for (i = 0; i < EBPF_REG_NUM; i++) {
		struct vreg *a = &to->r[i];
		const struct vreg *b = &from->r[i];

		if (a->type == V_UNINIT || b->type == V_UNINIT)
			a->type = V_UNINIT;
		else if (a->type != b->type)
			a->type = V_POISON;
		else if (a->type == V_CTX && (a->var || b->var || a->off != b->off))
			a->var = true;
		else if (a->type == V_FP && a->off != b->off)
			a->type = V_POISON;
	}
	for (i = 0; i < RTE_DIM(to->stack); i++)
		to->stack[i] &= from->stack[i];
}

static unsigned int
mem_size(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B:
		return 1;
	case BPF_H:
		return 2;
	case BPF_W:
		return 4;
	default:
		return 8;
	}
}

static int
read_reg(const struct vstate *s, uint32_t pc, unsigned int r)
{
	if (r >= EBPF_REG_NUM)
		return ctl_err(-EINVAL, "insn %u: no register r%u", pc, r);
	if (s->r[r].type == V_UNINIT)
		return ctl_err(-EACCES, "insn %u: reads r%u before it is set", pc, r);
	return 0;
}

static int
write_reg(uint32_t pc, unsigned int r)
{
	if (r >= EBPF_REG_NUM)
		return ctl_err(-EINVAL, "insn %u: no register r%u", pc, r);
	if (r == EBPF_REG_10)
		return ctl_err(-EACCES, "insn %u: writes r10, the frame pointer", pc);
	return 0;
}

static bool
is_ptr(const struct vreg *v)
{
	return v->type == V_CTX || v->type == V_FP || v->type == V_POISON;
}

/* A load or store of size bytes at base register b + off. */
static int
check_mem(struct vstate *s, uint32_t pc, unsigned int b, int16_t off, unsigned int size, bool store,
	  struct bpf_use *u)
{
	const struct vreg *v = &s->r[b];
	int64_t at = v->off + off, i;

	if (v->type == V_CTX) {
		if (!v->var && (at < 0 || at + size > BPF_CTX_SIZE))
			return ctl_err(-EACCES,
				       "insn %u: %s %u bytes at context offset %" PRId64
				       ", outside its %" PRId64 " bytes",
				       pc, store ? "writes" : "reads", size, at, BPF_CTX_SIZE);
		/* what the data path copies in and out for it (datapath/tr_bpf.c): a
		 * place not known here may be anywhere in the context */
		if (store && (v->var || at < MYR_BPF_WINDOW))
			u->writes = true;
		if (v->var)
			u->window = MYR_BPF_WINDOW;
		else if (at < MYR_BPF_WINDOW)
			u->window =
				RTE_MAX(u->window, (uint32_t)RTE_MIN(at + size, MYR_BPF_WINDOW));
		if (v->var || at + size > BPF_STATE_AT) {
			u->state_in = true;
			u->state_out |= store;
		}
		return 0;
	}
	if (v->type == V_FP) {
		if (at < -BPF_STACK || at + size > 0)
			return ctl_err(-EACCES,
				       "insn %u: %s %u bytes at stack offset %" PRId64
				       ", outside its %d bytes",
				       pc, store ? "writes" : "reads", size, at, BPF_STACK);
		for (i = at + BPF_STACK; i < at + BPF_STACK + size; i++) {
			uint64_t bit = 1ULL << (i % 64);

			if (store)
				s->stack[i / 64] |= bit;
			else if (!(s->stack[i / 64] & bit))
				return ctl_err(-EACCES,
					       "insn %u: reads stack bytes at offset %" PRId64
					       " before writing them",
					       pc, at);
		}
		return 0;
	}
	return ctl_err(-EACCES,
		       "insn %u: %s through r%u, which holds no pointer to the context or a "
		       "constant place on the stack",
		       pc, store ? "writes" : "reads", b);
}

static int
check_alu(struct vstate *s, const struct ebpf_insn *in, uint32_t pc)
{
	bool is64 = BPF_CLASS(in->code) == EBPF_ALU64, x = BPF_SRC(in->code) == BPF_X;
	uint8_t op = BPF_OP(in->code);
	struct vreg *d;
	int ret;

	if ((ret = write_reg(pc, in->dst_reg)) < 0)
		return ret;
	d = &s->r[in->dst_reg];
	/* immediates the JIT encodes in fewer bits: out of range, it emits broken code
	 * (found by fuzz_bpf: a shift by 9216 made the compiled program jump astray) */
	if (!x && (op == BPF_LSH || op == BPF_RSH || op == EBPF_ARSH) &&
	    (in->imm < 0 || in->imm >= (is64 ? 64 : 32)))
		return ctl_err(-EINVAL, "insn %u: shifts by %d: a shift is 0..%d", pc, in->imm,
			       is64 ? 63 : 31);
	if (op == EBPF_END && in->imm != 16 && in->imm != 32 && in->imm != 64)
		return ctl_err(-EINVAL, "insn %u: swaps %d bits: 16, 32 or 64", pc, in->imm);
	if (x && op != EBPF_END && (ret = read_reg(s, pc, in->src_reg)) < 0)
		return ret;
	if (op == EBPF_MOV) {
		if (!x)
			*d = (struct vreg){ .type = V_SCALAR };
		else if (is64)
			*d = s->r[in->src_reg];
		else
			*d = (struct vreg){ .type = is_ptr(&s->r[in->src_reg]) ? V_POISON
									       : V_SCALAR };
		return 0;
	}
	if ((ret = read_reg(s, pc, in->dst_reg)) < 0)
		return ret;
	if (!x && (op == BPF_DIV || op == BPF_MOD) && in->imm == 0)
		return ctl_err(-EINVAL, "insn %u: divides by zero", pc);
	if (d->type == V_SCALAR && (!x || s->r[in->src_reg].type == V_SCALAR))
		return 0;
	/* pointer arithmetic: a pointer plus or minus a number stays a pointer */
	if (is64 && (op == BPF_ADD || op == BPF_SUB) && (d->type == V_CTX || d->type == V_FP)) {
		if (!x) {
			d->off += op == BPF_ADD ? in->imm : -(int64_t)in->imm;
			return 0;
		}
		if (s->r[in->src_reg].type == V_SCALAR && d->type == V_CTX) {
			d->var = true;
			return 0;
		}
	}
	/* anything else made of a pointer is a number that must not leave */
	*d = (struct vreg){ .type = V_POISON };
	return 0;
}

static int
check_jmp(struct vstate *s, const struct ebpf_insn *in, uint32_t pc, uint32_t n, uint32_t *target)
{
	uint8_t op = BPF_OP(in->code);
	int ret;

	*target = UINT32_MAX;
	if (op == EBPF_CALL)
		return ctl_err(-EPERM, "insn %u: calls helper %d: in-switch NFs may call none", pc,
			       in->imm);
	if (op == EBPF_EXIT) {
		if ((ret = read_reg(s, pc, EBPF_REG_0)) < 0)
			return ret;
		if (s->r[0].type != V_SCALAR)
			return ctl_err(-EACCES, "insn %u: returns a pointer", pc);
		return 0;
	}
	if ((int64_t)pc + 1 + in->off < 0 || (int64_t)pc + 1 + in->off >= n)
		return ctl_err(-EINVAL, "insn %u: jumps past the end", pc);
	*target = pc + 1 + in->off;
	if (op == BPF_JA)
		return 0;
	if ((ret = read_reg(s, pc, in->dst_reg)) < 0)
		return ret;
	if (BPF_SRC(in->code) == BPF_X && (ret = read_reg(s, pc, in->src_reg)) < 0)
		return ret;
	if (s->r[in->dst_reg].type != V_SCALAR ||
	    (BPF_SRC(in->code) == BPF_X && s->r[in->src_reg].type != V_SCALAR))
		return ctl_err(-EACCES, "insn %u: compares a pointer", pc);
	return 0;
}

/* One instruction: its checks, its effect on s; *next and *target are its successors. */
static int
check_insn(struct vstate *s, const struct ebpf_insn *ins, uint32_t pc, uint32_t n,
	   struct bpf_use *u, uint32_t *next, uint32_t *target)
{
	const struct ebpf_insn *in = &ins[pc];
	uint8_t cls = BPF_CLASS(in->code);
	int ret;

	*next = pc + 1;
	*target = UINT32_MAX;
	switch (cls) {
	case BPF_ALU:
	case EBPF_ALU64:
		return check_alu(s, in, pc);
	case BPF_LDX:
		if (BPF_MODE(in->code) != BPF_MEM)
			break;
		if ((ret = read_reg(s, pc, in->src_reg)) < 0 ||
		    (ret = write_reg(pc, in->dst_reg)) < 0 ||
		    (ret = check_mem(s, pc, in->src_reg, in->off, mem_size(in->code), false, u)) <
			    0)
			return ret;
		s->r[in->dst_reg] = (struct vreg){ .type = V_SCALAR };
		return 0;
	case BPF_ST:
	case BPF_STX:
		if (BPF_MODE(in->code) == EBPF_XADD)
			return ctl_err(-EPERM, "insn %u: atomic operations are not available", pc);
		if (BPF_MODE(in->code) != BPF_MEM)
			break;
		if ((ret = read_reg(s, pc, in->dst_reg)) < 0)
			return ret;
		if (cls == BPF_STX) {
			if ((ret = read_reg(s, pc, in->src_reg)) < 0)
				return ret;
			if (s->r[in->src_reg].type != V_SCALAR)
				return ctl_err(-EACCES,
					       "insn %u: stores a pointer (r%u): no address leaves "
					       "the program",
					       pc, in->src_reg);
		}
		return check_mem(s, pc, in->dst_reg, in->off, mem_size(in->code), true, u);
	case BPF_LD:
		if (in->code != (BPF_LD | BPF_IMM | EBPF_DW)) {
			if (BPF_MODE(in->code) == BPF_ABS || BPF_MODE(in->code) == BPF_IND)
				return ctl_err(-EPERM,
					       "insn %u: packet loads (LD_ABS, LD_IND) are not "
					       "available: read ctx->data",
					       pc);
			break;
		}
		if (in->src_reg != 0)
			return ctl_err(-EPERM, "insn %u: loads a map or a pseudo value", pc);
		if (pc + 1 >= n || ins[pc + 1].code != 0 || ins[pc + 1].dst_reg != 0 ||
		    ins[pc + 1].src_reg != 0 || ins[pc + 1].off != 0)
			return ctl_err(-EINVAL, "insn %u: incomplete 64-bit load", pc);
		if ((ret = write_reg(pc, in->dst_reg)) < 0)
			return ret;
		s->r[in->dst_reg] = (struct vreg){ .type = V_SCALAR };
		*next = pc + 2;
		return 0;
	case BPF_JMP:
		ret = check_jmp(s, in, pc, n, target);
		if (ret == 0 && (BPF_OP(in->code) == EBPF_EXIT || BPF_OP(in->code) == BPF_JA))
			*next = UINT32_MAX;
		return ret;
	case BPF_JMP32:
		return ctl_err(-EINVAL,
			       "insn %u: 32-bit jumps are not available (build with "
			       "-mcpu=v2 or lower)",
			       pc);
	}
	return ctl_err(-EINVAL, "insn %u: unknown or unavailable instruction 0x%02x", pc, in->code);
}

/* Where control may go after an instruction, before any state: *a and *b, or UINT32_MAX. */
static int
successors(const struct ebpf_insn *ins, uint32_t pc, uint32_t n, uint32_t *a, uint32_t *b)
{
	const struct ebpf_insn *in = &ins[pc];
	int64_t t = (int64_t)pc + 1 + in->off;

	*a = pc + 1;
	*b = UINT32_MAX;
	if (in->code == (BPF_LD | BPF_IMM | EBPF_DW))
		*a = pc + 2;
	else if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) == EBPF_EXIT)
		*a = UINT32_MAX;
	else if (BPF_CLASS(in->code) == BPF_JMP && BPF_OP(in->code) != EBPF_CALL) {
		if (t < 0 || t >= n)
			return ctl_err(-EINVAL, "insn %u: jumps past the end", pc);
		if (BPF_OP(in->code) == BPF_JA)
			*a = UINT32_MAX;
		*b = (uint32_t)t;
	}
	if (*a != UINT32_MAX && *a >= n)
		return ctl_err(-EINVAL, "insn %u: the program runs past its end", pc);
	return 0;
}

/*
 * The order in which to check: reverse post-order of a depth-first walk from the
 * entry, in which every instruction comes after all those that lead to it. An edge
 * back to an instruction still on the walk's path is a loop, which is refused: no
 * loop, and a packet runs each instruction at most once.
 */
static int
check_order(const struct ebpf_insn *ins, uint32_t n, uint32_t *order, uint32_t *n_order)
{
	uint32_t *stack = malloc(sizeof(*stack) * n), sp = 0, k = n;
	uint8_t *color = calloc(n, 1); /* 0 new, 1 on the path, 2 done */
	int ret = 0;

	if (stack == NULL || color == NULL) {
		ret = ctl_err(-ENOMEM, "out of memory");
		goto out;
	}
	stack[sp++] = 0;
	color[0] = 1;
	while (sp > 0) {
		uint32_t pc = stack[sp - 1], s[2], i;
		bool pushed = false;

		if ((ret = successors(ins, pc, n, &s[0], &s[1])) < 0)
			goto out;
		for (i = 0; i < 2 && !pushed; i++) {
			if (s[i] == UINT32_MAX || color[s[i]] == 2)
				continue;
			if (color[s[i]] == 1) {
				ret = ctl_err(
					-EINVAL,
					"insn %u: jumps back to insn %u: loops are not allowed", pc,
					s[i]);
				goto out;
			}
			color[s[i]] = 1;
			stack[sp++] = s[i];
			pushed = true;
		}
		if (!pushed) {
			color[pc] = 2;
			order[--k] = pc;
			sp--;
		}
	}
	memmove(order, order + k, sizeof(*order) * (n - k));
	*n_order = n - k;
out:
	free(stack);
	free(color);
	return ret;
}

/*
 * What an instruction costs the switch's core, in units of a simple ALU operation:
 * measured with bench/micro/bpf_worst on DPDK's x86 JIT (per instruction, a 64-bit
 * add 0.29 ns, a multiply 0.86, a division 2.6, a load 0.12, a store 0.22).
 */
static uint32_t
insn_cost(const struct ebpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	if (cls == BPF_ALU || cls == EBPF_ALU64)
		return op == BPF_DIV || op == BPF_MOD ? 10 : op == BPF_MUL ? 3 : 1;
	return 1;
}

/* Our pass: each instruction once, in an order where every path into it has been
 * merged into its state before it is checked. */
static int
check_prog(const struct ebpf_insn *ins, uint32_t n, struct bpf_use *u, uint32_t *stack,
	   uint32_t *cost)
{
	struct vstate *st = calloc(n + 1, sizeof(*st));
	bool *second = calloc(n + 1, sizeof(*second)); /* second half of a 64-bit load */
	uint32_t *order = malloc(sizeof(*order) * n), n_order = 0;
	uint64_t *dist = calloc(n + 1, sizeof(*dist)); /* cost of the dearest path to it */
	uint32_t lowest = BPF_STACK, i, k;
	int ret;

	if (st == NULL || second == NULL || order == NULL || dist == NULL) {
		ret = ctl_err(-ENOMEM, "out of memory");
		goto out;
	}
	ret = check_order(ins, n, order, &n_order);
	if (ret < 0)
		goto out;
	for (k = 0; k + 1 < n; k++)
		if (ins[k].code == (BPF_LD | BPF_IMM | EBPF_DW))
			second[++k] = true;
	*u = (struct bpf_use){ 0 };
	*cost = 0;
	st[0].live = true;
	st[0].r[EBPF_REG_1] = (struct vreg){ .type = V_CTX };
	st[0].r[EBPF_REG_10] = (struct vreg){ .type = V_FP };
	for (k = 0; k < n_order; k++) {
		uint32_t pc = order[k], next, target;
		struct vstate s;

		if (second[pc]) {
			ret = ctl_err(-EINVAL, "insn %u: a jump lands inside a 64-bit load", pc);
			goto out;
		}
		s = st[pc];
		ret = check_insn(&s, ins, pc, n, u, &next, &target);
		if (ret < 0)
			goto out;
		dist[pc] += insn_cost(&ins[pc]);
		*cost = RTE_MAX(*cost, (uint32_t)RTE_MIN(dist[pc], (uint64_t)UINT32_MAX));
		if (next != UINT32_MAX) {
			merge(&st[next], &s);
			dist[next] = RTE_MAX(dist[next], dist[pc]);
		}
		if (target != UINT32_MAX) {
			merge(&st[target], &s);
			dist[target] = RTE_MAX(dist[target], dist[pc]);
		}
		for (i = 0; i < BPF_STACK; i++)
			if (s.stack[i / 64] & (1ULL << (i % 64)))
				break;
		if (i < lowest)
			lowest = i;
	}
	*stack = BPF_STACK - lowest;
out:
	free(st);
	free(second);
	free(order);
	free(dist);
	return ret;
}

/* --- DPDK's validator and JIT --- */

/* DPDK explains a refusal in its log only: catch the log while it loads. */
static struct rte_bpf *
dpdk_load(const struct ebpf_insn *ins, uint32_t n, char *why, size_t why_len)
{
	const struct rte_bpf_prm prm = {
		.ins = ins,
		.nb_ins = n,
		.xsym = NULL, /* the allow-list of helpers: empty */
		.nb_xsym = 0,
		.prog_arg = { .type = RTE_BPF_ARG_PTR, .size = sizeof(struct myr_bpf_ctx) },
	};
	FILE *old = rte_log_get_stream(), *mem = fmemopen(why, why_len, "w");
	struct rte_bpf *bpf;

	why[0] = '\0';
	if (mem != NULL)
		rte_openlog_stream(mem);
	bpf = rte_bpf_load(&prm);
	if (mem != NULL) {
		rte_openlog_stream(old == stderr ? NULL : old);
		fclose(mem);
	}
	why[why_len - 1] = '\0';
	why[strcspn(why, "\n")] = '\0';
	return bpf;
}

static struct bpf_prog *loaded; /* every program loaded, shared by its NFs */

/* Over --bpf-max-cost? Also asked of a shared program: the cap may have changed. */
static bool
cost_over(const struct bpf_prog *p)
{
	if (p->cost <= bpf_max_cost)
		return false;
	ctl_err(-E2BIG,
		"the program's dearest path costs %u (an ALU operation 1, a multiply 3, a "
		"division 10), more than %u (--bpf-max-cost)",
		p->cost, bpf_max_cost);
	return true;
}

struct bpf_prog *
bpf_prog_load_mem(const void *buf, size_t len, const char *section)
{
	struct elf_view e = { 0 };
	struct bpf_use use;
	struct bpf_prog *p;
	struct rte_bpf_jit jit;
	struct ebpf_insn *ins;
	char why[512];
	uint32_t n;
	int sec;

	if (elf_open(&e, buf, len) < 0 || (sec = elf_find(&e, section)) < 0 ||
	    elf_no_relocs(&e, sec) < 0)
		return NULL;
	if (e.sh[sec].sh_size % sizeof(struct ebpf_insn) != 0) {
		ctl_err(-EINVAL, "section %s is not a whole number of instructions",
			sec_name(&e, sec));
		return NULL;
	}
	n = e.sh[sec].sh_size / sizeof(struct ebpf_insn);
	if (n > bpf_max_insns) {
		ctl_err(-E2BIG, "the program has %u instructions, more than %u (--bpf-max-insns)",
			n, bpf_max_insns);
		return NULL;
	}
	/* the same code in the same section was loaded for another NF: share it */
	for (p = loaded; p != NULL; p = p->next)
		if (p->n_insns == n && strcmp(p->section, sec_name(&e, sec)) == 0 &&
		    memcmp(p->ins, e.buf + e.sh[sec].sh_offset, n * sizeof(*ins)) == 0)
			break;
	if (p != NULL) {
		if (cost_over(p))
			return NULL;
		p->refs++;
		return p;
	}
	p = calloc(1, sizeof(*p));
	ins = malloc(n * sizeof(*ins)); /* aligned, whatever the file's offsets */
	if (p == NULL || ins == NULL) {
		ctl_err(-ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(ins, e.buf + e.sh[sec].sh_offset, n * sizeof(*ins));
	if (check_prog(ins, n, &use, &p->stack, &p->cost) < 0)
		goto fail;
	p->writes = use.writes;
	p->state_in = use.state_in;
	p->state_out = use.state_out;
	/* what the window copy moves: whole 32-byte pieces of what the program touches */
	p->window = RTE_ALIGN_CEIL(use.window, 32);
	if (cost_over(p))
		goto fail;
	p->bpf = dpdk_load(ins, n, why, sizeof(why));
	if (p->bpf == NULL) {
		ctl_err(-EINVAL, "DPDK's validator refused the program: %s",
			why[0] != '\0' ? why : rte_strerror(rte_errno));
		goto fail;
	}
	if (rte_bpf_get_jit(p->bpf, &jit) < 0 || jit.func == NULL) {
		ctl_err(-ENOTSUP, "DPDK could not JIT-compile the program");
		goto fail;
	}
	p->run = jit.func;
	p->jit_size = jit.sz;
	p->n_insns = n;
	snprintf(p->section, sizeof(p->section), "%s", sec_name(&e, sec));
	p->ins = ins;
	p->refs = 1;
	p->next = loaded;
	loaded = p;
	return p;
fail:
	if (p != NULL && p->bpf != NULL)
		rte_bpf_destroy(p->bpf);
	free(p);
	free(ins);
	return NULL;
}

struct bpf_prog *
bpf_prog_load(const char *path, const char *section)
{
	struct bpf_prog *p = NULL;
	struct stat sb;
	void *buf = NULL;
	ssize_t got;
	int fd;

	if (path[0] != '/')
		return ctl_err(-EINVAL, "%s: the program's path must be absolute", path), NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return ctl_err(-errno, "%s: %s", path, strerror(errno)), NULL;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		ctl_err(-EINVAL, "%s: not a regular file", path);
		goto out;
	}
	if (sb.st_size > BPF_FILE_MAX) {
		ctl_err(-E2BIG, "%s: larger than %u bytes", path, BPF_FILE_MAX);
		goto out;
	}
	buf = malloc(sb.st_size + 1);
	if (buf == NULL) {
		ctl_err(-ENOMEM, "out of memory");
		goto out;
	}
	got = pread(fd, buf, sb.st_size, 0);
	if (got != sb.st_size) {
		ctl_err(-EIO, "%s: short read", path);
		goto out;
	}
	p = bpf_prog_load_mem(buf, got, section);
	if (p == NULL) {
		char msg[512];

		snprintf(msg, sizeof(msg), "%s", ctl_errmsg());
		ctl_err(-EINVAL, "%s: %s", path, msg);
	}
out:
	free(buf);
	close(fd);
	return p;
}

/* Let go of a program; the last NF that held it frees it. */
void
bpf_prog_free(struct bpf_prog *p)
{
	struct bpf_prog **pp;

	if (p == NULL || --p->refs > 0)
		return;
	for (pp = &loaded; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	rte_bpf_destroy(p->bpf);
	free(p->ins);
	free(p);
}

unsigned int
bpf_progs_loaded(void)
{
	unsigned int n = 0;
	const struct bpf_prog *p;

	for (p = loaded; p != NULL; p = p->next)
		n++;
	return n;
}
