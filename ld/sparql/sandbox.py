"""Take the network away from a query process (Linux seccomp), as defence in depth.

The guard already refuses SERVICE, but a difference between its lexer and Oxigraph's
parser would let a request through (that is how the SSRF of issue 10 worked).  A query
process therefore installs a seccomp filter before it evaluates anything: ``socket()``
may only make AF_UNIX sockets (the pipe to the web worker), so Oxigraph cannot reach any
host, loopback included, whatever text it is given.  The filter is inherited and cannot
be removed.

Written with ctypes against the kernel's stable ABI (``prctl``, classic BPF) because the
filter is a dozen instructions and libseccomp's Python bindings are not on PyPI.
"""

from __future__ import annotations

import ctypes
import errno
import platform
import struct

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000

# BPF opcodes: load word absolute, jump if equal, jump if >=, return constant.
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
# offsets in struct seccomp_data: nr (int), arch (u32), instruction_pointer (u64), args[6] (u64)
_NR, _ARCH, _ARG0_LOW = 0, 4, 16

# (audit architecture, socket, socketpair, io_uring_setup) per machine
_ARCHES = {
    "x86_64": (0xC000003E, 41, 53, 425),
    "aarch64": (0xC00000B7, 198, 199, 425),
}


class SandboxUnavailable(RuntimeError):
    """This machine cannot install the filter; queries must not run without it."""


def _instruction(code: int, k: int, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _program(arch: int, socket_nr: int, socketpair_nr: int, io_uring_nr: int) -> bytes:
    """socket(AF_UNIX, …) and socketpair(AF_UNIX, …) allowed, other families EACCES;
    io_uring (which can open sockets without socket()) and foreign ABIs EPERM; the rest allowed."""
    deny_family = SECCOMP_RET_ERRNO | errno.EACCES
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    program = [
        _instruction(_LD_W_ABS, _ARCH),
        _instruction(_JEQ_K, arch, jt=1, jf=0),  # 1
        _instruction(_RET_K, deny),  # 2: a foreign ABI (i386 int 0x80, …)
        _instruction(_LD_W_ABS, _NR),  # 3
        _instruction(_JGE_K, X32_SYSCALL_BIT, jt=0, jf=1),  # 4
        _instruction(_RET_K, deny),  # 5: x32 system calls
        _instruction(_JEQ_K, io_uring_nr, jt=0, jf=1),  # 6
        _instruction(_RET_K, deny),  # 7
        _instruction(_JEQ_K, socket_nr, jt=1, jf=0),  # 8
        _instruction(_JEQ_K, socketpair_nr, jt=0, jf=3),  # 9 -> 13
        _instruction(_LD_W_ABS, _ARG0_LOW),  # 10: the address family
        _instruction(_JEQ_K, AF_UNIX, jt=1, jf=0),  # 11
        _instruction(_RET_K, deny_family),  # 12
        _instruction(_RET_K, SECCOMP_RET_ALLOW),  # 13
    ]
    return b"".join(program)


def deny_network() -> None:
    """Install the filter in this process (and every thread and child it makes from now on)."""
    machine = platform.machine()
    if machine not in _ARCHES:
        raise SandboxUnavailable(f"no seccomp filter for {machine}; SPARQL queries are refused")
    code = _program(*_ARCHES[machine])
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(code, len(code))

    class _Prog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    prog = _Prog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable(f"prctl(NO_NEW_PRIVS) failed: {errno.errorcode[ctypes.get_errno()]}")
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise SandboxUnavailable(f"seccomp filter refused: {errno.errorcode[ctypes.get_errno()]}")
