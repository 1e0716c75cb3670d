# Process entry for unixsim guest programs (no libc). The kernel leaves
# argc at 0(sp), then argv[], NULL, envp[], NULL, auxv (see
# src/hw/initial-stack.ts); we call main(argc, argv, envp) and exit with
# its return value.
	.file	"crt0.S"
	.section .text._start
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	ld	a0, 0(sp)		# argc
	addi	a1, sp, 8		# argv
	slli	t0, a0, 3
	add	a2, a1, t0
	addi	a2, a2, 8		# envp = argv + argc + 1
	andi	sp, sp, -16
	call	main
	call	sys_exit_group
	.size _start, . - _start
