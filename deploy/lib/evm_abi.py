"""Keccak-256 and the few Solidity ABI encodings the main job's read-only eth_calls need (balanceOf, voucherFor,
sentStatus, receipts). Python 3 standard library only (hashlib's sha3_256 is FIPS-202 SHA3, not Keccak-256).
Keccak-f[1600] per the Keccak reference (rate 1088 bits, pad10*1 with domain byte 0x01); the ABI per the Solidity
docs "Contract ABI Specification"."""

_RC = [0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000, 0x000000000000808B,
       0x0000000080000001, 0x8000000080008081, 0x8000000000008009, 0x000000000000008A, 0x0000000000000088,
       0x0000000080008009, 0x000000008000000A, 0x000000008000808B, 0x800000000000008B, 0x8000000000008089,
       0x8000000000008003, 0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
       0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008]
_ROT = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
_M = (1 << 64) - 1


def _rol(v, n):
    return ((v << n) | (v >> (64 - n))) & _M if n else v


def _keccak_f(a):
    for rc in _RC:
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rol(a[x][y], _ROT[x][y])
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        a[0][0] ^= rc
    return a


def keccak256(data: bytes) -> bytes:
    rate = 136
    p = bytearray(data)
    p.append(0x01)
    while len(p) % rate:
        p.append(0)
    p[-1] |= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(p), rate):
        for i in range(rate // 8):
            a[i % 5][i // 5] ^= int.from_bytes(p[off + 8 * i:off + 8 * i + 8], "little")
        a = _keccak_f(a)
    return b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"


def selector(signature: str) -> str:
    """'balanceOf(address)' -> '70a08231'."""
    return keccak256(signature.encode()).hex()[:8]


assert selector("balanceOf(address)") == "70a08231"


def word_address(addr: str) -> str:
    return addr[2:].lower().rjust(64, "0")


def word_bytes32(h: str) -> str:
    assert len(h) == 66
    return h[2:].lower()


def enc_string_arg(s: str) -> str:
    """One dynamic `string` argument as the only argument: offset, length, padded bytes."""
    b = s.encode()
    return "%064x" % 32 + "%064x" % len(b) + b.hex().ljust(((len(b) + 31) // 32) * 64, "0")


def call_data(signature: str, *words: str) -> str:
    return "0x" + selector(signature) + "".join(words)
